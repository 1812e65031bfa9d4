package graph

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
)

// STUB: the rbac engineer replaces this file.

func (m *Model) setServiceAccount(o *corev1.ServiceAccount, now time.Time)         {}
func (m *Model) setRole(o *rbacv1.Role, now time.Time)                             {}
func (m *Model) setClusterRole(o *rbacv1.ClusterRole, now time.Time)               {}
func (m *Model) setRoleBinding(o *rbacv1.RoleBinding, now time.Time)               {}
func (m *Model) setClusterRoleBinding(o *rbacv1.ClusterRoleBinding, now time.Time) {}
func (m *Model) deleteRBAC(r Resource, namespace, name string, now time.Time)      {}
