package graph

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// Happening kinds.
const (
	HappeningScaled    = "scaled"
	HappeningRollout   = "rollout"
	HappeningRestarted = "restarted"
	HappeningFailed    = "failed"
	HappeningNode      = "node"

	// Wave 2 (DESIGN.md "Protocol v1 additions"), issue #13.
	HappeningCordoned = "cordoned" // a Node cordoned or uncordoned
	HappeningDrained  = "drained"  // a drain's progress: a pod evicted, held back by a budget, done

	// Issue #14: a workload, Service or Ingress created or deleted, and a
	// Service's count of ready endpoints changing.
	HappeningCreated   = "created"
	HappeningDeleted   = "deleted"
	HappeningEndpoints = "endpoints"
)

// HappeningKinds are every happening kind the protocol names (DESIGN.md),
// for what checks a kind it is given, such as a lesson's steps.
var HappeningKinds = []string{
	HappeningScaled, HappeningRollout, HappeningRestarted, HappeningFailed, HappeningNode,
	HappeningWarning, HappeningJob, HappeningReplaced,
	HappeningCordoned, HappeningDrained, HappeningCreated, HappeningDeleted, HappeningEndpoints,
}

// Happening params, by kind, so the browser can render Text in another
// language:
//
//	every kind   name          "ns/name", or the Node's name
//	scaled       kind          "Deployment" | "StatefulSet"
//	             from, to      replicas before and after
//	rollout      state         "started" | "progressing" | "complete" | "stalled"
//	             fromRevision, toRevision   (started only)
//	             fromImage, toImage         (started, when the images changed;
//	                                         several images are joined by ", ")
//	restarted    restarts      the pod's total restart count
//	failed       reason        e.g. "Evicted", "CrashLoopBackOff", "Error"
//	node         state         "Ready" | "NotReady"
const (
	ParamName         = "name"
	ParamKind         = "kind"
	ParamFrom         = "from"
	ParamTo           = "to"
	ParamState        = "state"
	ParamFromRevision = "fromRevision"
	ParamToRevision   = "toRevision"
	ParamFromImage    = "fromImage"
	ParamToImage      = "toImage"
	ParamRestarts     = "restarts"
	ParamReason       = "reason"
)

// RolloutStarted is the state param of a rollout that begins.
const RolloutStarted = "started"

// PodFailure returns why a pod counts as failed, or "" when it does not: its
// phase is Failed (the reason is the pod's, such as Evicted, else its
// kubectl status), or its kubectl status is a crash loop. status is
// PodStatus's first result.
func PodFailure(pod *corev1.Pod, status string) string {
	if pod.Status.Phase == corev1.PodFailed {
		switch {
		case pod.Status.Reason != "":
			return pod.Status.Reason
		case status != "" && status != "Terminating":
			return status
		}
		return string(corev1.PodFailed)
	}
	if status == "CrashLoopBackOff" || status == "Init:CrashLoopBackOff" {
		return status
	}
	return ""
}

func qualified(n *Node) string {
	if n.Namespace == "" {
		return n.Name
	}
	return n.Namespace + "/" + n.Name
}

// Happenings derives the happenings of one entity's change from prev to cur,
// both non-nil, at time at. failWas and failNow are PodFailure before and
// after (pods only). A re-created object (a new uid) is an appearance, not a
// transition, and yields nothing.
func Happenings(prev, cur *Node, failWas, failNow string, at time.Time) []Happening {
	if prev.UID != cur.UID || prev.Kind != cur.Kind {
		return nil
	}
	name := qualified(cur)
	h := func(kind, text string, params map[string]string) Happening {
		params[ParamName] = name
		return Happening{Time: at, Kind: kind, Ref: cur.ID, Text: text, Params: params}
	}
	var out []Happening
	scaled := func(from, to int) {
		if from != to {
			out = append(out, h(HappeningScaled,
				fmt.Sprintf("%s %s scaled %d → %d", cur.Kind, name, from, to),
				map[string]string{ParamKind: cur.Kind, ParamFrom: strconv.Itoa(from), ParamTo: strconv.Itoa(to)}))
		}
	}
	switch cur.Kind {
	case KindDeployment:
		a, b := prev.Deployment, cur.Deployment
		scaled(a.Replicas, b.Replicas)
		// Revision 0 → 1 is the Deployment's creation, not a rollout.
		started := a.Revision != b.Revision && a.Revision != 0
		if started {
			text := fmt.Sprintf("rollout %s: revision %d → %d", name, a.Revision, b.Revision)
			p := map[string]string{ParamState: RolloutStarted,
				ParamFromRevision: strconv.Itoa(a.Revision), ParamToRevision: strconv.Itoa(b.Revision)}
			if from, to := strings.Join(a.Images, ", "), strings.Join(b.Images, ", "); from != to {
				text += fmt.Sprintf(", image %s → %s", from, to)
				p[ParamFromImage], p[ParamToImage] = from, to
			}
			out = append(out, h(HappeningRollout, text, p))
		}
		// A new revision or a scale implies progressing; say only where
		// it ends.
		implied := started || a.Replicas != b.Replicas
		if a.Rollout != b.Rollout && !(implied && b.Rollout == RolloutProgressing) {
			out = append(out, h(HappeningRollout, fmt.Sprintf("rollout %s %s", name, b.Rollout),
				map[string]string{ParamState: b.Rollout}))
		}
	case KindStatefulSet:
		scaled(prev.StatefulSet.Replicas, cur.StatefulSet.Replicas)
	case KindPod:
		if r := cur.Pod.Restarts; r > prev.Pod.Restarts {
			out = append(out, h(HappeningRestarted, fmt.Sprintf("Pod %s restarted (%d)", name, r),
				map[string]string{ParamRestarts: strconv.Itoa(r)}))
		}
		if failNow != "" && failWas == "" {
			out = append(out, h(HappeningFailed, fmt.Sprintf("Pod %s failed: %s", name, failNow),
				map[string]string{ParamReason: failNow}))
		}
	case KindNode:
		if a, b := prev.Node.Ready, cur.Node.Ready; a != b {
			state := "NotReady"
			if b {
				state = "Ready"
			}
			out = append(out, h(HappeningNode, fmt.Sprintf("Node %s %s", name, state),
				map[string]string{ParamState: state}))
		}
	}
	return out
}
