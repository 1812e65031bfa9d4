package graph

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
)

// STUB: the cluster engineer replaces this file.

func (m *Model) setNamespace(o *corev1.Namespace, now time.Time)                 {}
func (m *Model) setResourceQuota(o *corev1.ResourceQuota, now time.Time)         {}
func (m *Model) setLimitRange(o *corev1.LimitRange, now time.Time)               {}
func (m *Model) setPDB(o *policyv1.PodDisruptionBudget, now time.Time)           {}
func (m *Model) deleteCluster(r Resource, namespace, name string, now time.Time) {}
func (m *Model) podCluster(oldPod, newPod *CachedPod, now time.Time)             {}

// clusterHappenings derives the happenings of a Node's (or another
// entity's) change that #13 adds: cordoned, drained.
func (m *Model) clusterHappenings(id string, prev, cur *Node, at time.Time) []Happening { return nil }
