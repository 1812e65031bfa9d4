package graph

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
)

// This file routes the kinds of identity and policy (#13) to their homes:
// rbac.go (ServiceAccounts, roles, bindings), netpol.go (NetworkPolicies)
// and cluster.go (Namespaces with their quotas and limit ranges,
// PodDisruptionBudgets, Node cordon and drain).

// setPolicy folds in obj when it is one of the kinds of #13, and reports
// whether it was.
func (m *Model) setPolicy(obj any, now time.Time) bool {
	switch o := obj.(type) {
	case *corev1.ServiceAccount:
		if o != nil {
			m.setServiceAccount(o, now)
		}
	case *rbacv1.Role:
		if o != nil {
			m.setRole(o, now)
		}
	case *rbacv1.ClusterRole:
		if o != nil {
			m.setClusterRole(o, now)
		}
	case *rbacv1.RoleBinding:
		if o != nil {
			m.setRoleBinding(o, now)
		}
	case *rbacv1.ClusterRoleBinding:
		if o != nil {
			m.setClusterRoleBinding(o, now)
		}
	case *networkingv1.NetworkPolicy:
		if o != nil {
			m.setNetworkPolicy(o, now)
		}
	case *corev1.Namespace:
		if o != nil {
			m.setNamespace(o, now)
		}
	case *corev1.ResourceQuota:
		if o != nil {
			m.setResourceQuota(o, now)
		}
	case *corev1.LimitRange:
		if o != nil {
			m.setLimitRange(o, now)
		}
	case *policyv1.PodDisruptionBudget:
		if o != nil {
			m.setPDB(o, now)
		}
	default:
		return false
	}
	return true
}

// deletePolicy folds in the deletion of an object of the kinds of #13, and
// reports whether r is one of them.
func (m *Model) deletePolicy(r Resource, namespace, name string, now time.Time) bool {
	switch r {
	case ServiceAccounts, Roles, ClusterRoles, RoleBindings, ClusterRoleBindings:
		m.deleteRBAC(r, namespace, name, now)
	case NetworkPolicies:
		m.deleteNetworkPolicy(namespace, name, now)
	case Namespaces, ResourceQuotas, LimitRanges, PodDisruptionBudgets:
		m.deleteCluster(r, namespace, name, now)
	default:
		return false
	}
	return true
}

// podPolicy moves what a pod change means for the kinds of #13: the
// NetworkPolicies that select it, and the drains it holds back or ends.
// Either pod may be nil.
func (m *Model) podPolicy(oldPod, newPod *CachedPod, now time.Time) {
	m.podNetworkPolicies(oldPod, newPod, now)
	m.podCluster(oldPod, newPod, now)
}
