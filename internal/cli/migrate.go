package cli

import (
	"context"
	"fmt"
	"text/tabwriter"
)

func runMigrate(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || (args[0] != "up" && args[0] != "status" && args[0] != "-h" && args[0] != "--help") {
		fmt.Fprintln(env.Stderr, "用法 / usage: zhanxin migrate up|status [--db …]")
		return errUsage
	}
	if args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(env.Stdout, "用法 / usage: zhanxin migrate up|status [--db …]\n  up      执行全部未执行的迁移 / apply every pending migration\n  status  列出迁移及执行时间 / list migrations and when they were applied")
		return nil
	}
	sub := args[0]
	fs := env.flags("migrate "+sub, "migrate "+sub+" [--db …]")
	db := dbFlag(fs)
	if err := env.parse(fs, args[1:]); err != nil {
		return err
	}
	d, err := openDB(ctx, *db, false)
	if err != nil {
		return err
	}
	defer d.Close()
	if sub == "up" {
		done, err := d.Migrate(ctx, env.Now)
		if err != nil {
			return err
		}
		for _, m := range done {
			fmt.Fprintf(env.Stdout, "已执行 / applied %04d_%s\n", m.Version, m.Name)
		}
		fmt.Fprintf(env.Stdout, "数据库结构已是最新 / schema is up to date (%s, %d applied now)\n", d.Dialect, len(done))
		return nil
	}
	all, err := d.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "版本/version\t名称/name\t执行时间/applied at")
	for _, m := range all {
		at := "待执行 / pending"
		if !m.AppliedAt.IsZero() {
			at = m.AppliedAt.Format("2006-01-02 15:04:05 MST")
		}
		fmt.Fprintf(tw, "%04d\t%s\t%s\n", m.Version, m.Name, at)
	}
	return tw.Flush()
}
