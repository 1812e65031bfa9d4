package graph

import (
	"slices"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
)

// MaxRefs bounds the objects one pod's mounts edges point at; a pod with
// hundreds of volumes keeps the first MaxRefs distinct objects (volumes
// first, then env and envFrom, in spec order).
const MaxRefs = 64

// Ways a pod references an object, as bits of podRef.as; asNames joins
// them in the order types.go gives (volume, projected, env, envFrom).
const (
	refVolume uint8 = 1 << iota
	refProjected
	refEnv
	refEnvFrom
)

var asNames = func() [16]string {
	var out [16]string
	for bits := range out {
		var parts []string
		for i, name := range []string{MountVolume, MountProjected, MountEnv, MountEnvFrom} {
			if bits&(1<<i) != 0 {
				parts = append(parts, name)
			}
		}
		out[bits] = strings.Join(parts, ",")
	}
	return out
}()

// podRef is one object a pod references by name, as the model keeps it:
// 24 bytes per object, on the CachedPod. The mounts edge's id, "as" and
// container names are built from it when the edge is (mountEdge), so the
// model holds no Edge per reference.
type podRef struct {
	to string // ConfigMap/ns/name, Secret/ns/name or PersistentVolumeClaim/ns/name, interned
	// mask names the containers that use the object: bit i is the pod's
	// i-th init container, bit MaxContainers+i its i-th app container (of
	// those the entity keeps).
	mask   uint32
	as     uint8
	broken bool
}

// refsBuilder collects a pod's references, one per object.
type refsBuilder struct {
	ns   string
	refs []podRef
}

func (b *refsBuilder) add(kind Kind, name string, as uint8, mask uint32) {
	if !validName(name) {
		return // never an edge to an invalid id
	}
	for i := range b.refs {
		r := &b.refs[i]
		if len(r.to) == len(kind)+len(b.ns)+len(name)+2 && r.to == ID(kind, b.ns, name) {
			r.as |= as
			r.mask |= mask
			return
		}
	}
	if len(b.refs) >= MaxRefs {
		return
	}
	b.refs = append(b.refs, podRef{to: internID(ID(kind, b.ns, name)), as: as, mask: mask})
}

// markBroken marks the reference to kind/name broken, if the pod has it.
func (b *refsBuilder) markBroken(kind Kind, name string) {
	id := ID(kind, b.ns, name)
	for i := range b.refs {
		if b.refs[i].to == id {
			b.refs[i].broken = true
		}
	}
}

// podRefs derives the objects a pod references by name: ConfigMaps,
// Secrets and PersistentVolumeClaims, from its volumes (projected sources
// and generic ephemeral volumes' claims included) and every container's env
// and envFrom. A volume no container mounts counts as used by all of them:
// the pod still needs it to start. The ServiceAccount token volume the API
// server injects (kube-api-access-*, whose ConfigMap is kube-root-ca.crt in
// every namespace) is left out: it is in every pod, and would tie every pod
// to one node on the picture. The result is sorted by target id and shared
// between pods with the same references.
func podRefs(pod *corev1.Pod) []podRef {
	spec := &pod.Spec
	if len(spec.Volumes) == 0 && !anyEnvRefs(spec.InitContainers) && !anyEnvRefs(spec.Containers) {
		return nil
	}
	b := refsBuilder{ns: pod.Namespace}
	all := containerMask(len(spec.InitContainers), len(spec.Containers))
	for i := range spec.Volumes {
		v := &spec.Volumes[i]
		mask := mountMask(spec, v.Name)
		if mask == 0 {
			mask = all
		}
		switch {
		case v.ConfigMap != nil:
			b.add(KindConfigMap, v.ConfigMap.Name, refVolume, mask)
		case v.Secret != nil:
			b.add(KindSecret, v.Secret.SecretName, refVolume, mask)
		case v.PersistentVolumeClaim != nil:
			b.add(KindPVC, v.PersistentVolumeClaim.ClaimName, refVolume, mask)
		case v.Ephemeral != nil:
			// The ephemeral volume controller names the claim it makes
			// <pod>-<volume>.
			b.add(KindPVC, pod.Name+"-"+v.Name, refVolume, mask)
		case v.Projected != nil:
			if strings.HasPrefix(v.Name, "kube-api-access-") {
				continue
			}
			for j := range v.Projected.Sources {
				s := &v.Projected.Sources[j]
				if s.ConfigMap != nil {
					b.add(KindConfigMap, s.ConfigMap.Name, refProjected, mask)
				}
				if s.Secret != nil {
					b.add(KindSecret, s.Secret.Name, refProjected, mask)
				}
			}
		}
	}
	envRefs(&b, spec.InitContainers, 0)
	envRefs(&b, spec.Containers, MaxContainers)
	if len(b.refs) == 0 {
		return nil
	}
	brokenRefs(&b, pod)
	slices.SortFunc(b.refs, func(x, y podRef) int { return strings.Compare(x.to, y.to) })
	return internRefs(b.refs)
}

func anyEnvRefs(cs []corev1.Container) bool {
	for i := range cs {
		if len(cs[i].EnvFrom) > 0 {
			return true
		}
		for j := range cs[i].Env {
			if cs[i].Env[j].ValueFrom != nil {
				return true
			}
		}
	}
	return false
}

// containerMask has a bit for each kept init and app container.
func containerMask(inits, apps int) uint32 {
	return uint32(1)<<min(inits, MaxContainers) - 1 | (uint32(1)<<min(apps, MaxContainers)-1)<<MaxContainers
}

// mountMask returns the containers (kept ones) that mount volume name.
func mountMask(spec *corev1.PodSpec, name string) uint32 {
	return mounting(spec.InitContainers, name, 0) | mounting(spec.Containers, name, MaxContainers)
}

func mounting(cs []corev1.Container, volume string, base int) uint32 {
	var mask uint32
	for i := range min(len(cs), MaxContainers) {
		for j := range cs[i].VolumeMounts {
			if cs[i].VolumeMounts[j].Name == volume {
				mask |= 1 << (base + i)
				break
			}
		}
	}
	return mask
}

// envRefs adds the env and envFrom references of cs, whose bits start at
// base. Containers past MaxContainers still reference, but are not named.
func envRefs(b *refsBuilder, cs []corev1.Container, base int) {
	for i := range cs {
		var bit uint32
		if i < MaxContainers {
			bit = 1 << (base + i)
		}
		c := &cs[i]
		for j := range c.Env {
			if vf := c.Env[j].ValueFrom; vf != nil {
				if vf.ConfigMapKeyRef != nil {
					b.add(KindConfigMap, vf.ConfigMapKeyRef.Name, refEnv, bit)
				}
				if vf.SecretKeyRef != nil {
					b.add(KindSecret, vf.SecretKeyRef.Name, refEnv, bit)
				}
			}
		}
		for j := range c.EnvFrom {
			if r := c.EnvFrom[j].ConfigMapRef; r != nil {
				b.add(KindConfigMap, r.Name, refEnvFrom, bit)
			}
			if r := c.EnvFrom[j].SecretRef; r != nil {
				b.add(KindSecret, r.Name, refEnvFrom, bit)
			}
		}
	}
}

// brokenRefs marks the references the pod's own status says are missing:
// a container waiting in CreateContainerConfigError names the ConfigMap or
// Secret it could not find, and the scheduler leaves a pod Pending with a
// PodScheduled message naming a missing claim.
func brokenRefs(b *refsBuilder, pod *corev1.Pod) {
	for _, sts := range [][]corev1.ContainerStatus{pod.Status.InitContainerStatuses, pod.Status.ContainerStatuses} {
		for i := range sts {
			w := sts[i].State.Waiting
			if w == nil || w.Reason != "CreateContainerConfigError" {
				continue
			}
			for _, name := range notFound(w.Message, "configmap") {
				b.markBroken(KindConfigMap, name)
			}
			for _, name := range notFound(w.Message, "secret") {
				b.markBroken(KindSecret, name)
			}
		}
	}
	if c := podCondition(&pod.Status, corev1.PodScheduled); c != nil && c.Status != corev1.ConditionTrue {
		for _, name := range notFound(c.Message, "persistentvolumeclaim") {
			b.markBroken(KindPVC, name)
		}
	}
}

// notFound returns the names in msg of the form `<resource> "name" not
// found` (or the plural resource the API server's errors use), matching the
// resource without regard to case.
func notFound(msg, resource string) []string {
	var out []string
	lower := strings.ToLower(msg)
	for i := 0; i < len(lower); {
		j := strings.Index(lower[i:], resource)
		if j < 0 {
			break
		}
		rest := lower[i+j+len(resource):]
		i += j + len(resource)
		rest = strings.TrimPrefix(rest, "s")
		if !strings.HasPrefix(rest, ` "`) {
			continue
		}
		rest = rest[2:]
		end := strings.IndexByte(rest, '"')
		if end < 0 || !strings.HasPrefix(rest[end:], `" not found`) {
			continue
		}
		out = append(out, rest[:end])
	}
	return out
}

// validName reports whether name is a DNS subdomain (RFC 1123), which
// ConfigMap, Secret and PersistentVolumeClaim names must be. It is
// validation.IsDNS1123Subdomain without a regular expression, because it
// runs for every reference of every pod event.
func validName(name string) bool {
	if len(name) == 0 || len(name) > 253 {
		return false
	}
	for _, label := range strings.Split(name, ".") {
		if label == "" || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for k := 0; k < len(label); k++ {
			c := label[k]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// refSets interns pods' reference lists: the replicas of one template
// reference the same objects the same way.
var refSets struct {
	sync.Mutex
	m map[string][]podRef
}

func internRefs(refs []podRef) []podRef {
	var sb strings.Builder
	for _, r := range refs {
		sb.WriteString(r.to)
		sb.WriteByte(0)
		sb.WriteByte(r.as)
		sb.WriteByte(byte(r.mask))
		sb.WriteByte(byte(r.mask >> 8))
		sb.WriteByte(byte(r.mask >> 16))
		sb.WriteByte(byte(r.mask >> 24))
		if r.broken {
			sb.WriteByte(1)
		} else {
			sb.WriteByte(0)
		}
	}
	key := sb.String()
	refSets.Lock()
	defer refSets.Unlock()
	if s, ok := refSets.m[key]; ok {
		return s
	}
	if refSets.m == nil || len(refSets.m) >= 16384 {
		refSets.m = map[string][]podRef{}
	}
	refs = slices.Clip(refs)
	refSets.m[key] = refs
	return refs
}

// containerNames returns the names of the containers in mask, init
// containers first, shared between edges with the same list.
func containerNames(p *PodFields, mask uint32) []string {
	var names []string
	for i := range p.InitContainers {
		if mask&(1<<i) != 0 {
			names = append(names, p.InitContainers[i].Name)
		}
	}
	for i := range p.Containers {
		if mask&(1<<(MaxContainers+i)) != 0 {
			names = append(names, p.Containers[i].Name)
		}
	}
	return internNames(names)
}

var nameLists struct {
	sync.Mutex
	m map[string][]string
}

func internNames(names []string) []string {
	if len(names) == 0 {
		return nil
	}
	key := strings.Join(names, "\x00")
	nameLists.Lock()
	defer nameLists.Unlock()
	if s, ok := nameLists.m[key]; ok {
		return s
	}
	if nameLists.m == nil || len(nameLists.m) >= 16384 {
		nameLists.m = map[string][]string{}
	}
	nameLists.m[key] = names
	return names
}

// mountEdge builds the mounts edge of pod (its entity) to r.
func mountEdge(pod *Node, r *podRef) *Edge {
	return &Edge{ID: EdgeID(EdgeMounts, pod.ID, r.to), Kind: EdgeMounts, From: pod.ID, To: r.to,
		Mount: internMount(asNames[r.as&15], containerNames(pod.Pod, r.mask), r.broken)}
}

// mounts interns Mount values: the replicas of a template reference their
// objects alike.
var mounts struct {
	sync.Mutex
	m map[mountKey]*Mount
}

type mountKey struct {
	as, containers string
	broken         bool
}

func internMount(as string, containers []string, broken bool) *Mount {
	k := mountKey{as, strings.Join(containers, "\x00"), broken}
	mounts.Lock()
	defer mounts.Unlock()
	if m, ok := mounts.m[k]; ok {
		return m
	}
	if mounts.m == nil || len(mounts.m) >= 16384 {
		mounts.m = map[mountKey]*Mount{}
	}
	m := &Mount{As: as, Containers: containers, Broken: broken}
	mounts.m[k] = m
	return m
}
