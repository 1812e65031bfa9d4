// Package gatewaycrds installs the Gateway API's standard CRDs into a lab
// from the manifests the Go module sigs.k8s.io/gateway-api ships
// (config/crd/standard), the version go.mod pins, and removes them again.
// The lab's startup never installs them: a test that needs them installs
// them itself, so a Podium it started before can discover them without a
// restart, and deletes them when it ends.
package gatewaycrds

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensions "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/yaml"
)

// Module is the Go module whose manifests are installed.
const Module = "sigs.k8s.io/gateway-api"

// Dir returns the module's standard CRD directory in the module cache
// (`go list -m` resolves the version go.mod pins; it is downloaded by
// then, since the code that imports it builds).
func Dir(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Dir}}", Module).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return "", fmt.Errorf("go list -m %s: %v: %s", Module, err, ee.Stderr)
		}
		return "", fmt.Errorf("go list -m %s: %w", Module, err)
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		return "", fmt.Errorf("go list -m %s: no directory (is it downloaded?)", Module)
	}
	return filepath.Join(dir, "config", "crd", "standard"), nil
}

// Load reads the standard CRDs, sorted by name.
func Load(ctx context.Context) ([]*apiextensionsv1.CustomResourceDefinition, error) {
	dir, err := Dir(ctx)
	if err != nil {
		return nil, err
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}

	var out []*apiextensionsv1.CustomResourceDefinition
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		crd := &apiextensionsv1.CustomResourceDefinition{}
		if err := yaml.Unmarshal(b, crd); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		if crd.Kind != "CustomResourceDefinition" {
			continue // the directory also holds a ValidatingAdmissionPolicy against unsafe upgrades
		}
		if crd.Name == "" {
			return nil, fmt.Errorf("%s: a CustomResourceDefinition without a name", f)
		}
		out = append(out, crd)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no CRD manifests in %s", dir)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Install creates the standard CRDs (an existing one is left as it is) and
// waits until the API server has established each. It returns their names.
func Install(ctx context.Context, c apiextensions.Interface) ([]string, error) {
	crds, err := Load(ctx)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, crd := range crds {
		if _, err := c.ApiextensionsV1().CustomResourceDefinitions().Create(ctx, crd, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return names, fmt.Errorf("create CRD %s: %w", crd.Name, err)
		}
		names = append(names, crd.Name)
	}
	for _, name := range names {
		err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
			crd, err := c.ApiextensionsV1().CustomResourceDefinitions().Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return false, err
			}
			for _, cond := range crd.Status.Conditions {
				if cond.Type == apiextensionsv1.Established && cond.Status == apiextensionsv1.ConditionTrue {
					return true, nil
				}
			}
			return false, nil
		})
		if err != nil {
			return names, fmt.Errorf("CRD %s not established: %w", name, err)
		}
	}
	return names, nil
}

// Uninstall deletes the standard CRDs (with every object of theirs) and
// waits until they are gone, so the next test starts without them.
func Uninstall(ctx context.Context, c apiextensions.Interface) error {
	crds, err := Load(ctx)
	if err != nil {
		return err
	}
	for _, crd := range crds {
		if err := c.ApiextensionsV1().CustomResourceDefinitions().Delete(ctx, crd.Name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("delete CRD %s: %w", crd.Name, err)
		}
	}
	// The API server's finalizer deletes a CRD's objects before the CRD,
	// one CRD after another; on a busy lab that once took over 2 minutes
	// for the last of the ten, so the wait is long and says what is left.
	for _, crd := range crds {
		var last *apiextensionsv1.CustomResourceDefinition
		err := wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, 5*time.Minute, true, func(ctx context.Context) (bool, error) {
			got, err := c.ApiextensionsV1().CustomResourceDefinitions().Get(ctx, crd.Name, metav1.GetOptions{})
			if apierrors.IsNotFound(err) {
				return true, nil
			}
			last = got
			return false, err
		})
		if err != nil {
			conds := ""
			if last != nil {
				for _, c := range last.Status.Conditions {
					conds += fmt.Sprintf(" %s=%s (%s)", c.Type, c.Status, c.Message)
				}
			}
			return fmt.Errorf("CRD %s not gone:%s: %w", crd.Name, conds, err)
		}
	}
	return nil
}
