package graph

import (
	"slices"
	"strconv"
)

// appendMeta writes the common fields, as json.Marshal writes nodeMeta,
// without the closing brace.
func appendMeta(b []byte, n *Node) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, n.ID)
	b = append(b, `,"kind":`...)
	b = appendString(b, n.Kind)
	b = appendField(b, "namespace", n.Namespace)
	b = append(b, `,"name":`...)
	b = appendString(b, n.Name)
	b = append(b, `,"uid":`...)
	return appendString(b, n.UID)
}

// appendPodFields writes a pod's fields as json.Marshal writes a PodFields,
// each preceded by a comma and without braces, so that they follow
// appendMeta. Pods are most of a snapshot's nodes, and reflection over
// them was most of a cold snapshot's encoding; TestPodJSONMatchesMarshal
// holds this to json.Marshal, byte for byte, for every field.
func appendPodFields(b []byte, p *PodFields) ([]byte, error) {
	b = append(b, `,"status":`...)
	b = appendString(b, p.Status)
	b = appendBool(b, "ready", p.Ready)
	b = appendTrue(b, "hostNetwork", p.HostNetwork)
	b = appendTrue(b, "evicted", p.Evicted)
	b = appendTrue(b, "mirror", p.Mirror)
	b = append(b, `,"readyContainers":`...)
	b = strconv.AppendInt(b, int64(p.ReadyContainers), 10)
	b = append(b, `,"restarts":`...)
	b = strconv.AppendInt(b, int64(p.Restarts), 10)
	b = append(b, `,"node":`...)
	b = appendString(b, p.Node)
	b = append(b, `,"owner":`...)
	b = appendString(b, p.Owner)
	b = append(b, `,"images":`...)
	b = appendStrings(b, p.Images)
	b = appendField(b, "ip", p.IP)
	if len(p.Labels) > 0 {
		b = append(b, `,"labels":`...)
		b = appendStringMap(b, p.Labels)
	}
	if !p.Created.IsZero() {
		t, err := p.Created.MarshalJSON()
		if err != nil {
			return nil, err
		}
		b = append(b, `,"created":`...)
		b = append(b, t...)
	}
	b = append(b, `,"containers":`...)
	b = appendContainers(b, p.Containers)
	if len(p.InitContainers) > 0 {
		b = append(b, `,"initContainers":`...)
		b = appendContainers(b, p.InitContainers)
	}
	if p.MoreContainers != 0 {
		b = append(b, `,"moreContainers":`...)
		b = strconv.AppendInt(b, int64(p.MoreContainers), 10)
	}
	if p.MoreInitContainers != 0 {
		b = append(b, `,"moreInitContainers":`...)
		b = strconv.AppendInt(b, int64(p.MoreInitContainers), 10)
	}
	b = appendField(b, "hostIP", p.HostIP)
	b = appendField(b, "serviceAccount", p.ServiceAccount)
	return b, nil
}

// appendContainers writes a []Container as json.Marshal does.
func appendContainers(b []byte, cs []Container) []byte {
	if cs == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i := range cs {
		if i > 0 {
			b = append(b, ',')
		}
		c := &cs[i]
		b = append(b, `{"name":`...)
		b = appendString(b, c.Name)
		b = append(b, `,"image":`...)
		b = appendString(b, c.Image)
		b = append(b, `,"state":`...)
		b = appendString(b, c.State)
		b = appendField(b, "reason", c.Reason)
		if c.ExitCode != nil {
			b = append(b, `,"exitCode":`...)
			b = strconv.AppendInt(b, int64(*c.ExitCode), 10)
		}
		b = appendTrue(b, "ready", c.Ready)
		if c.Restarts != 0 {
			b = append(b, `,"restarts":`...)
			b = strconv.AppendInt(b, int64(c.Restarts), 10)
		}
		if len(c.Ports) > 0 {
			b = append(b, `,"ports":[`...)
			for j, p := range c.Ports {
				if j > 0 {
					b = append(b, ',')
				}
				b = append(b, '{')
				if p.Name != "" {
					b = append(b, `"name":`...)
					b = appendString(b, p.Name)
					b = append(b, ',')
				}
				b = append(b, `"port":`...)
				b = strconv.AppendInt(b, int64(p.Port), 10)
				b = appendField(b, "protocol", p.Protocol)
				if p.HostPort != 0 {
					b = append(b, `,"hostPort":`...)
					b = strconv.AppendInt(b, int64(p.HostPort), 10)
				}
				b = append(b, '}')
			}
			b = append(b, ']')
		}
		b = appendTrue(b, "sidecar", c.Sidecar)
		b = append(b, '}')
	}
	return append(b, ']')
}

// appendStrings writes a []string as json.Marshal does (nil is null).
func appendStrings(b []byte, ss []string) []byte {
	if ss == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

// appendStringMap writes a map[string]string as json.Marshal does: keys
// sorted, nil is null.
func appendStringMap(b []byte, m map[string]string) []byte {
	if m == nil {
		return append(b, "null"...)
	}
	var buf [8]string
	keys := buf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = appendString(b, m[k])
	}
	return append(b, '}')
}

// appendBool writes ,"name":true or ,"name":false.
func appendBool(b []byte, name string, v bool) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return strconv.AppendBool(b, v)
}

// appendTrue writes ,"name":true when v is (omitempty).
func appendTrue(b []byte, name string, v bool) []byte {
	if !v {
		return b
	}
	return appendBool(b, name, true)
}
