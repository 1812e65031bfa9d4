package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/podiumhq/podium/cmd/podium/internal/version"
)

// newRootCmd is the whole command line. A bare "podium" is "podium serve",
// except that with no cluster to watch it plays the built-in demo.
func newRootCmd() *cobra.Command {
	var o serveOptions
	root := &cobra.Command{
		Use:   "podium",
		Short: "Podium draws a live picture of a Kubernetes cluster",
		Long: `Podium draws a live picture of a Kubernetes cluster: Ingresses route to
Services, Services select Pods, Pods run on Nodes, Deployments own ReplicaSets.

A bare "podium" is "podium serve": it serves the dashboard for the current
kubeconfig context, and with no cluster to watch it plays the built-in demo.`,
		Example: `  # Watch the current kubeconfig context at http://127.0.0.1:8080
  podium

  # Watch two namespaces of another context
  podium --context prod -n web,api

  # No cluster: the built-in demo
  podium demo`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return serve(cmd.Context(), &o, cmd.ErrOrStderr(), true)
		},
		// Errors are one line, printed once by main; a runtime error is no
		// reason to print the usage.
		SilenceErrors:     true,
		SilenceUsage:      true,
		CompletionOptions: cobra.CompletionOptions{DisableDefaultCmd: true},
	}
	o.register(root)
	root.AddCommand(newServeCmd(), newRecordCmd(), newReplayCmd(), newDemoCmd(), newVersionCmd(), newCompletionCmd())
	root.AddCommand(newExportCmd())
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return fmt.Errorf("%s%v (see %s --help)", prefix(c), err, c.CommandPath())
	})
	root.SetUsageTemplate(usageTemplate)
	var keepOrder func(c *cobra.Command)
	keepOrder = func(c *cobra.Command) {
		// Podium's own flags in the order they are registered: the ones
		// used most come first.
		c.Flags().SortFlags = false
		for _, sub := range c.Commands() {
			keepOrder(sub)
		}
	}
	keepOrder(root)
	return root
}

// prefix names a subcommand at the start of its errors.
func prefix(c *cobra.Command) string {
	if !c.HasParent() {
		return ""
	}
	return c.Name() + ": "
}

// noArgs refuses positional arguments: on "podium" they are a mistyped
// command, elsewhere a stray word.
func noArgs(c *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	if c.HasAvailableSubCommands() {
		hint := ""
		if s := c.SuggestionsFor(args[0]); len(s) > 0 {
			hint = fmt.Sprintf("; did you mean %q?", s[0])
		}
		return fmt.Errorf("unknown command %q%s (see %s --help)", args[0], hint, c.CommandPath())
	}
	return fmt.Errorf("%sunexpected argument %q (see %s --help)", prefix(c), args[0], c.CommandPath())
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the version",
		Example: "  podium version",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(cmd.OutOrStdout(), "podium", version.String())
			return err
		},
	}
}

var shells = []string{"bash", "zsh", "fish", "powershell"}

func newCompletionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "completion bash|zsh|fish|powershell",
		Short: "Print a shell completion script",
		Long: `Print a script that completes Podium's commands and flags in the given shell,
including --context, --cluster and --user from your kubeconfig.`,
		Example: `  # bash, in this shell (needs the bash-completion package)
  source <(podium completion bash)

  # bash, in every new shell
  podium completion bash > /etc/bash_completion.d/podium

  # zsh
  podium completion zsh > "${fpath[1]}/_podium"

  # fish
  podium completion fish > ~/.config/fish/completions/podium.fish`,
		ValidArgs: shells,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != 1 {
				return fmt.Errorf("completion: which shell? want one of %s (see podium completion --help)", strings.Join(shells, ", "))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			root, w := cmd.Root(), cmd.OutOrStdout()
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(w, true)
			case "zsh":
				return root.GenZshCompletion(w)
			case "fish":
				return root.GenFishCompletion(w, true)
			case "powershell":
				return root.GenPowerShellCompletionWithDesc(w)
			}
			return fmt.Errorf("completion: unknown shell %q: want one of %s", args[0], strings.Join(shells, ", "))
		},
	}
}

func init() {
	cobra.AddTemplateFunc("podiumFlags", func(fs *pflag.FlagSet) string { return flagUsages(fs, false) })
	cobra.AddTemplateFunc("connFlags", func(fs *pflag.FlagSet) string { return flagUsages(fs, true) })
}

// flagUsages prints Podium's own flags, or the connection flags (kubectl's)
// in a section of their own, as kubectl's own help keeps them apart.
func flagUsages(fs *pflag.FlagSet, conn bool) string {
	part := pflag.NewFlagSet("", pflag.ContinueOnError)
	part.SortFlags = conn
	fs.VisitAll(func(f *pflag.Flag) {
		if _, ok := f.Annotations[connGroup]; ok == conn {
			part.AddFlag(f)
		}
	})
	return part.FlagUsages()
}

// usageTemplate is cobra's, with the connection flags in their own section.
const usageTemplate = `Usage:{{if .Runnable}}
  {{.UseLine}}{{end}}{{if .HasAvailableSubCommands}}
  {{.CommandPath}} [command]{{end}}{{if .HasExample}}

Examples:
{{.Example}}{{end}}{{if .HasAvailableSubCommands}}

Available Commands:{{range .Commands}}{{if (or .IsAvailableCommand (eq .Name "help"))}}
  {{rpad .Name .NamePadding }} {{.Short}}{{end}}{{end}}{{end}}{{if .HasAvailableLocalFlags}}

Flags:
{{podiumFlags .LocalFlags | trimTrailingWhitespaces}}{{end}}{{with connFlags .LocalFlags}}

Cluster connection flags (as in kubectl):
{{. | trimTrailingWhitespaces}}{{end}}{{if .HasAvailableSubCommands}}

Use "{{.CommandPath}} [command] --help" for more information about a command.{{end}}
`
