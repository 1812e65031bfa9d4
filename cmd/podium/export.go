package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/podiumhq/podium/cmd/podium/internal/version"
	"github.com/podiumhq/podium/informers/replay"
	"github.com/podiumhq/podium/server"
	"github.com/podiumhq/podium/web"
)

type exportFlags struct {
	from, to int
	lang     string
	demo     bool
}

func newExportCmd() *cobra.Command {
	var f exportFlags
	var lim recordingLimits
	cmd := &cobra.Command{
		Use:   "export [--from N] [--to M] REC|--demo OUT.html",
		Short: "Write a segment of a recording as one HTML file that plays offline",
		Long: `Write the part of a recording between two happenings as one HTML file: the
page, its code and style, and the recorded messages, with nothing to fetch.
Opened from disk in any current browser, with no server and no network, it
plays at the recorded pace and stops on the last frame (play starts it over).

N and M are happening indexes as "GET /api/replay" lists them (docs/replay.md),
0 for the first. The file holds the state at happening N (exactly what a
replay shows after seeking to it) and every recorded message after it
through happening M's; --from and --to default to the first and the last
happening, and N = M is a still picture. The file is written to a temporary
name beside OUT.html and renamed, so a failed export leaves nothing behind.`,
		Example: `  # Happenings 3 to 9 of a recording
  podium export --from 3 --to 9 talk.jsonl.gz rollout.html

  # The whole built-in demo, in Chinese
  podium export --demo --lang zh-CN demo.html`,
		Args: func(c *cobra.Command, args []string) error {
			want := 2
			if f.demo {
				want = 1
			}
			if len(args) != want {
				if f.demo {
					return fmt.Errorf("export: with --demo, give only the output file: podium export --demo [--from N] [--to M] OUT.html")
				}
				return fmt.Errorf("export: want a recording and an output file: podium export [--from N] [--to M] REC OUT.html")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("to") {
				f.to = -1 // the last happening
			}
			return export(cmd.Context(), f, lim, args, cmd.OutOrStdout())
		},
	}
	fs := cmd.Flags()
	fs.IntVar(&f.from, "from", 0, "the first happening `N`: the file starts with the state right after it")
	fs.IntVar(&f.to, "to", 0, "the last happening `M`: the file ends with the state right after it (default the last)")
	fs.StringVar(&f.lang, "lang", "en", "the page's language: en or zh-CN (the viewer can switch)")
	fs.BoolVar(&f.demo, "demo", false, "export the built-in demo instead of a recording file")
	lim.register(cmd)
	return cmd
}

// export cuts the segment and writes it to its output file.
func export(ctx context.Context, f exportFlags, lim recordingLimits, args []string, stdout io.Writer) error {
	out := args[len(args)-1]
	if f.lang != "en" && f.lang != "zh-CN" {
		return fmt.Errorf("export: --lang %q: want en or zh-CN", f.lang)
	}
	var rec *replay.Recording
	var err error
	if f.demo {
		rec, err = loadDemo()
	} else {
		var limits replay.Limits
		if limits, err = lim.limits(); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		rec, err = limits.ReadFile(args[0])
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if f.to == -1 {
		f.to = len(rec.Markers()) - 1
	}
	var page bytes.Buffer
	seg, err := writeSegment(ctx, &page, rec, f.from, f.to, f.lang)
	if err != nil {
		return fmt.Errorf("export: %s: %w", rec.Name, err)
	}
	if err := writeFileAtomic(out, page.Bytes()); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	_, err = fmt.Fprintf(stdout, "wrote %s (%d KB): happenings %d to %d of %s, %.1f s\n",
		out, (page.Len()+1023)/1024, seg.From, seg.To, rec.Name, float64(seg.Duration)/1000)
	return err
}

// writeSegment writes happenings from..to of rec as an offline page in
// lang: the one way podium export and a replay's GET /api/replay/segment
// make the file.
func writeSegment(ctx context.Context, w io.Writer, rec *replay.Recording, from, to int, lang string) (*replay.Segment, error) {
	seg, err := rec.Segment(from, to)
	if err != nil {
		return nil, err
	}
	data, err := json.Marshal(seg)
	if err != nil {
		return nil, err
	}
	title := fmt.Sprintf("Podium · %s · %d–%d", filepath.Base(rec.Name), from, to)
	return seg, web.RenderSegment(ctx, w, web.SegmentView{Segment: data, Title: title, Lang: server.PreferredLanguage(lang), Version: version.String()})
}

// segmentFunc serves a replay's segments (server.Config.Segment).
func segmentFunc(rec *replay.Recording) server.SegmentFunc {
	return func(ctx context.Context, w io.Writer, from, to int, lang string) error {
		_, err := writeSegment(ctx, w, rec, from, to, lang)
		return err
	}
}

// writeFileAtomic writes data to a temporary file beside path and renames
// it into place, so path is either the whole file or untouched.
func writeFileAtomic(path string, data []byte) error {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return fmt.Errorf("%s is a directory; name the HTML file to write", path)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, unwrapPath(err))
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("cannot write %s: %w", path, unwrapPath(err))
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("cannot write %s: %w", path, unwrapPath(err))
	}
	return nil
}

// unwrapPath drops a *PathError's operation and temporary name: the
// message names the file the user asked for.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
