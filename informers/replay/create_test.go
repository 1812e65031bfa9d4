package replay

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// A recording holds the whole topology the recorder could see, so only its
// owner may read it: `podium record` creates it 0600 whatever the umask
// lets through (a permissive umask cannot add bits; a strict one may only
// remove them).
func TestCreateIsOwnerOnly(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	for _, name := range []string{"talk.jsonl", "talk.jsonl.gz"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), name)
			w, err := Create(path, Header{PodiumVersion: "test", Start: time.Now()})
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Close(time.Now()); err != nil {
				t.Fatal(err)
			}
			st, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := st.Mode().Perm(); got != 0o600 {
				t.Errorf("%s created with mode %#o, want 0600", name, got)
			}
		})
	}
}
