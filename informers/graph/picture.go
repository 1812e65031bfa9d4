package graph

// PictureSnapshot is s with each pod stripped of what the drawn picture
// never reads: its containers and init containers, images, IPs, service
// account, uid, container counts and drain flags, which only the page's
// details panel and pod anatomy show. The server-side SVG export lays the
// picture out in a JavaScript runtime, where every field of every pod is an
// object to allocate: at 5,000 pods these are about a third of a render's
// memory (issue #15). web's TestPictureSnapshotDrawsTheSame holds that the
// picture drawn from it is the same. The nodes are copies: the snapshot's
// own are shared and immutable.
func PictureSnapshot(s Snapshot) Snapshot {
	out := s
	out.Nodes = make([]*Node, len(s.Nodes))
	for i, n := range s.Nodes {
		if n.Pod == nil {
			out.Nodes[i] = n
			continue
		}
		c, p := *n, *n.Pod
		c.UID = ""
		p.Containers, p.InitContainers, p.MoreContainers, p.MoreInitContainers = nil, nil, 0, 0
		p.Images, p.IP, p.HostIP, p.ServiceAccount = nil, "", "", ""
		p.ReadyContainers, p.Restarts, p.HostNetwork, p.Evicted, p.Mirror = 0, 0, false, false, false
		c.Pod = &p
		out.Nodes[i] = &c
	}
	return out
}
