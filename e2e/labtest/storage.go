package labtest

import (
	"context"
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// StorageClass is the lab's one StorageClass. It has no provisioner, so a
// claim of this class binds only to a static PersistentVolume a test
// created (StaticPVs), and the binding is done for real by the
// controller-manager's PV binder; with volumeBindingMode Immediate it does
// not wait for a pod to be scheduled.
const StorageClass = "podium-lab-static"

// EnsureStorageClass creates StorageClass if it is missing. The lab creates
// it when it starts; tests call this too, so that a lab started before the
// class existed still has it.
func EnsureStorageClass(ctx context.Context, cs kubernetes.Interface) error {
	immediate := storagev1.VolumeBindingImmediate
	reclaim := corev1.PersistentVolumeReclaimRetain
	sc := &storagev1.StorageClass{
		ObjectMeta:        metav1.ObjectMeta{Name: StorageClass, Labels: map[string]string{"podium.dev/lab": "true"}},
		Provisioner:       "kubernetes.io/no-provisioner",
		ReclaimPolicy:     &reclaim,
		VolumeBindingMode: &immediate,
	}
	_, err := cs.StorageV1().StorageClasses().Create(ctx, sc, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create StorageClass %s: %w", StorageClass, err)
	}
	return nil
}

// StaticPVs creates n PersistentVolumes of class StorageClass, each of size
// (a quantity such as "1Gi") and ReadWriteOnce, named prefix-0 … prefix-n-1,
// and deletes them when t ends. They are hostPath volumes: nothing mounts
// them on a fake node, and the binder only reads their spec. PVs are
// cluster-scoped, so prefix should name the test's owner (its namespace).
func StaticPVs(t testing.TB, lab *Lab, prefix string, n int, size string) []string {
	t.Helper()
	cs := lab.Client()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := EnsureStorageClass(ctx, cs); err != nil {
		t.Fatal(err)
	}
	q, err := resource.ParseQuantity(size)
	if err != nil {
		t.Fatalf("StaticPVs: size %q: %v", size, err)
	}
	names := make([]string, 0, n)
	for i := range n {
		name := fmt.Sprintf("%s-%d", prefix, i)
		pv := &corev1.PersistentVolume{
			ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"podium.dev/lab-pv": prefix}},
			Spec: corev1.PersistentVolumeSpec{
				Capacity:                      corev1.ResourceList{corev1.ResourceStorage: q},
				AccessModes:                   []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
				PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimRetain,
				StorageClassName:              StorageClass,
				PersistentVolumeSource:        corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/podium-lab/" + name}},
			},
		}
		if _, err := cs.CoreV1().PersistentVolumes().Create(ctx, pv, metav1.CreateOptions{}); err != nil {
			t.Fatalf("create PersistentVolume %s: %v", name, err)
		}
		names = append(names, name)
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := cs.CoreV1().PersistentVolumes().Delete(ctx, name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
				t.Logf("delete PersistentVolume %s: %v", name, err)
			}
		})
	}
	return names
}

// NamespacePrefixed is Namespace with a name that starts with prefix (for
// labs shared by several people, whose namespaces are told apart by prefix).
func NamespacePrefixed(t testing.TB, lab *Lab, prefix string) string {
	t.Helper()
	return namespace(t, lab, prefix+"-"+t.Name())
}
