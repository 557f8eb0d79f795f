package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/internal/api"
	"github.com/berth-dev/berth/internal/daemon"
	"github.com/berth-dev/berth/internal/spec"
)

// Exit codes a CI pipeline can rely on.
const (
	ExitOK          = 0
	ExitError       = 1 // anything else
	ExitBadInput    = 2 // invalid Compose file or command line
	ExitUnreachable = 3 // no daemon answers
	ExitFailed      = 4 // the operation ran and failed (did not converge)
)

// failedError marks an operation that ran and failed.
type failedError struct{ err error }

func (f failedError) Error() string { return f.err.Error() }
func (f failedError) Unwrap() error { return f.err }

// usageError marks bad input.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

// app holds what every command shares.
type app struct {
	version string
	host    string
	socket  string
	token   string
	caFile  string
	output  string
	out     io.Writer
	errOut  io.Writer
}

// Main runs the command line and returns the process exit code.
func Main(args []string, version string) int {
	a := &app{version: version, out: os.Stdout, errOut: os.Stderr}
	root := a.rootCommand()
	root.SetArgs(args)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	fmt.Fprintln(a.errOut, "error:", err)
	var le *spec.LoadError
	var ue usageError
	var fe failedError
	switch {
	case errors.As(err, &le), errors.As(err, &ue):
		return ExitBadInput
	case errors.Is(err, api.ErrDaemonUnreachable):
		return ExitUnreachable
	case errors.As(err, &fe):
		return ExitFailed
	}
	var se *api.StatusError
	if errors.As(err, &se) && se.Code == 400 {
		return ExitBadInput
	}
	return ExitError
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "berth",
		Short:         "Keep a Docker host converged on a Compose file",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	pf := root.PersistentFlags()
	pf.StringVar(&a.socket, "socket", envOr("BERTH_SOCKET", daemon.DefaultSocket()), "daemon unix socket (env BERTH_SOCKET)")
	pf.StringVar(&a.host, "host", os.Getenv("BERTH_HOST"), "daemon address https://host:port instead of the socket (env BERTH_HOST)")
	pf.StringVar(&a.token, "token", os.Getenv("BERTH_TOKEN"), "bearer token for a TCP daemon (env BERTH_TOKEN)")
	pf.StringVar(&a.caFile, "tls-ca", os.Getenv("BERTH_TLS_CA"), "CA certificate to verify a TCP daemon (env BERTH_TLS_CA)")
	pf.StringVarP(&a.output, "output", "o", "table", "output format: table or json")
	root.AddCommand(
		a.daemonCommand(),
		a.upCommand(), a.downCommand(), a.planCommand(), a.configCommand(),
		a.psCommand(), a.logsCommand(), a.scaleCommand(), a.restartCommand(),
		a.inspectCommand(), a.eventsCommand(), a.stacksCommand(), a.versionCommand(),
		a.statsCommand(), a.topCommand(), a.rolloutCommand(),
		a.proxyCommand(),
	)
	return root
}

// client connects to the daemon named by the flags.
func (a *app) client() (*api.Client, error) {
	host := a.host
	if host == "" {
		host = "unix://" + a.socket
	}
	return api.NewClient(api.ClientOptions{Host: host, Token: a.token, CAFile: a.caFile})
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func (a *app) jsonOutput() bool { return a.output == "json" }
