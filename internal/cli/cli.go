// Package cli is zhanxin's command line: one file per subcommand. Output streams and the
// environment are injected so that tests run commands in-process.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/i18n"
	"zhanxin/internal/reqinfo"
	"zhanxin/internal/store"
)

// Env is what a command runs with.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	Now    func() time.Time
	// Ready, when set, is called by serve with its listening address (tests use it).
	Ready func(addr string)
	cat   *i18n.Catalog
}

type command struct {
	summary string
	run     func(ctx context.Context, env *Env, args []string) error
}

// commands is filled by each subcommand's file.
func commands() map[string]command {
	return map[string]command{
		"serve":   {"启动网页与 API 服务 / run the web server and API", runServe},
		"migrate": {"数据库结构迁移 / apply or list schema migrations (up, status)", runMigrate},
		"user":    {"用户与 API 令牌管理 / manage users and API tokens", runUser},
		"load":    {"载入数据集（默认：内置赣州数据集）/ load a dataset (default: the built-in one)", runLoad},
		"backup":  {"备份数据库 / back up the database", runBackup},
		"version": {"显示版本 / print the version", runVersion},
		"ledger":  {"配额账本：对账、余额 / quota ledger: reconcile, balance", runLedger},
		"verify":  {"校验 EPCIS 防篡改日志 / verify the EPCIS tamper-evident log", runVerify},
	}
}

// Version is set at build time with -ldflags "-X zhanxin/internal/cli.Version=…".
var Version = "dev"

// Main runs the command line and returns the process exit code.
func Main(ctx context.Context, args []string, env *Env) int {
	cat, err := i18n.Load()
	if err != nil {
		fmt.Fprintln(env.Stderr, "zhanxin: message catalogue:", err)
		return 1
	}
	env.cat = cat
	cmds := commands()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(env.Stdout, cmds)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(env.Stderr, "zhanxin: 未知命令 %q / unknown command %q; run zhanxin --help\n", args[0], args[0])
		return 2
	}
	if err := c.run(ctx, env, args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		if errors.Is(err, errUsage) {
			return 2
		}
		fmt.Fprintln(env.Stderr, "zhanxin "+args[0]+": "+env.message(err))
		return 1
	}
	return 0
}

var errUsage = errors.New("usage")

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "zhanxin — 战新：战略性新兴产业与稀土钨资源管理平台 / strategic emerging industries platform")
	fmt.Fprintln(w, "\n用法 / usage: zhanxin <command> [flags]    (zhanxin <command> --help for its flags)")
	fmt.Fprintln(w, "\n命令 / commands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\n环境变量 / environment: ZHANXIN_DB, ZHANXIN_ADDR, ZHANXIN_LOG_FORMAT, ZHANXIN_LOG_LEVEL, … (each flag --x-y has ZHANXIN_X_Y)")
}

// message renders err as one line in Chinese and English, never a stack trace.
func (env *Env) message(err error) string {
	var oe *store.OpenError
	if errors.As(err, &oe) {
		return oe.Zh + " / " + oe.En
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		msg := env.cat.Both(ae.Key, ae.Args...)
		for _, f := range ae.Fields {
			if f.Key != ae.Key {
				msg += "; " + f.Name + ": " + env.cat.Both(f.Key, f.Args...)
			}
		}
		if ae.Kind == apperr.Internal && ae.Err != nil {
			msg += " (" + ae.Err.Error() + ")"
		} else if ae.Err != nil && ae.Code == "bad_dataset" {
			msg += ": " + env.message(ae.Err)
		}
		return msg
	}
	return strings.ReplaceAll(err.Error(), "\n", " ")
}

// flags makes a FlagSet whose --help prints to stdout and whose errors go to stderr.
func (env *Env) flags(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet("zhanxin "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fs.SetOutput(env.Stdout)
		fmt.Fprintf(env.Stdout, "用法 / usage: zhanxin %s\n\n", synopsis)
		fs.PrintDefaults()
		fs.SetOutput(env.Stderr)
	}
	return fs
}

// parse parses flags, then fills every flag not given on the command line from its
// ZHANXIN_* environment variable (--auto-migrate ← ZHANXIN_AUTO_MIGRATE).
func (env *Env) parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var bad error
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] || bad != nil {
			return
		}
		key := "ZHANXIN_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v := env.Getenv(key); v != "" {
			if err := f.Value.Set(v); err != nil {
				bad = fmt.Errorf("环境变量 %s=%q 无效 / environment variable %s=%q is invalid: %v", key, v, key, v, err)
			}
		}
	})
	return bad
}

// dbFlag adds --db with its default.
func dbFlag(fs *flag.FlagSet) *string {
	return fs.String("db", "sqlite:./zhanxin.db", "数据库 / database: sqlite:PATH or postgres://USER@HOST:PORT/DB (env ZHANXIN_DB)")
}

// logger builds the structured logger from --log-format and --log-level.
type logFlags struct{ format, level *string }

func addLogFlags(fs *flag.FlagSet) logFlags {
	return logFlags{
		format: fs.String("log-format", "text", "日志格式 / log format: text or json"),
		level:  fs.String("log-level", "info", "日志级别 / log level: debug, info, warn, error"),
	}
}

func (l logFlags) build(w io.Writer) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*l.level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: 应为 debug、info、warn 或 error / use debug, info, warn or error", *l.level)
	}
	opts := &slog.HandlerOptions{Level: lvl}
	var h slog.Handler
	switch *l.format {
	case "text":
		h = slog.NewTextHandler(w, opts)
	case "json":
		h = slog.NewJSONHandler(w, opts)
	default:
		return nil, fmt.Errorf("--log-format %q: 应为 text 或 json / use text or json", *l.format)
	}
	return slog.New(reqinfo.LogHandler{Handler: h}), nil
}

// openDB opens --db and, unless migrating is the point, refuses an out-of-date schema.
func openDB(ctx context.Context, target string, checkSchema bool) (*store.DB, error) {
	db, err := store.Open(ctx, target)
	if err != nil {
		return nil, err
	}
	if checkSchema {
		if err := db.CheckSchema(ctx); err != nil {
			db.Close()
			return nil, err
		}
	}
	return db, nil
}

// OSEnv is the real process environment.
func OSEnv() *Env {
	return &Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Now: time.Now}
}
