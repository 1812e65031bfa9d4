package labtest

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
)

// EnvKeep, when set to a non-empty value, keeps a lab that Shared started
// running after the tests (the next run reuses it).
const EnvKeep = "PODIUM_LAB_KEEP"

// Shared returns the default lab for a test binary: the one `make lab-up`
// started, or a new one. Call it from TestMain and, after m.Run, call
// Release with the result so that a lab this binary started is stopped.
func Shared(ctx context.Context) (*Lab, error) {
	return Start(ctx, Options{Log: os.Stderr})
}

// Release stops lab if Shared started it (and $PODIUM_LAB_KEEP is empty);
// a lab that was already running is left as it was.
func Release(lab *Lab) error {
	if lab == nil || !lab.Started() || os.Getenv(EnvKeep) != "" {
		return nil
	}
	return lab.Down()
}

// Namespace creates a fresh namespace for t, named after the test, waits
// for its default ServiceAccount (pods cannot be created before it exists)
// and deletes it when t ends.
func Namespace(t testing.TB, lab *Lab) string {
	t.Helper()
	return namespace(t, lab, t.Name())
}

func namespace(t testing.TB, lab *Lab, base string) string {
	t.Helper()
	cs := lab.Client()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		Name:   nsName(base),
		Labels: map[string]string{"podium.dev/e2e": "true"},
	}}
	created, err := cs.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create namespace: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := cs.CoreV1().Namespaces().Delete(ctx, created.Name, metav1.DeleteOptions{}); err != nil {
			t.Logf("delete namespace %s: %v", created.Name, err)
		}
	})
	Eventually(t, 30*time.Second, func(ctx context.Context) error {
		_, err := cs.CoreV1().ServiceAccounts(created.Name).Get(ctx, "default", metav1.GetOptions{})
		return err
	})
	return created.Name
}

var nonDNS = regexp.MustCompile(`[^a-z0-9-]+`)

// nsName turns a test name into a DNS label with a random suffix.
func nsName(test string) string {
	base := strings.Trim(nonDNS.ReplaceAllString(strings.ToLower(test), "-"), "-")
	if len(base) > 50 {
		base = strings.Trim(base[:50], "-")
	}
	if base == "" {
		base = "test"
	}
	return base + "-" + rand.String(5)
}

// Eventually polls cond every 50 ms until it returns nil, and fails t with
// cond's last error once timeout has passed.
func Eventually(t testing.TB, timeout time.Duration, cond func(ctx context.Context) error) {
	t.Helper()
	if err := Poll(context.Background(), timeout, cond); err != nil {
		t.Fatal(err)
	}
}

// Poll calls cond every 50 ms until it returns nil, ctx ends or timeout
// passes; the error then carries cond's last error.
func Poll(ctx context.Context, timeout time.Duration, cond func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		err := cond(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("condition not met within %s: %w", timeout, err)
		case <-tick.C:
		}
	}
}
