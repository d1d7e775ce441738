package cli

import (
	"context"
	"fmt"
	"io/fs"
	"os/user"

	"zhanxin/internal/auth"
	"zhanxin/internal/dataset"
)

func runLoad(ctx context.Context, env *Env, args []string) error {
	f := env.flags("load", "load [--db …] [--dataset default|demo|DIR]")
	db := dbFlag(f)
	which := f.String("dataset", "default", "数据集：default（内置赣州数据集）、demo（示例年度，虚构，须先载入 default）或目录 / dataset: default (built in), demo (the synthetic demonstration year, after default) or a directory")
	if err := env.parse(f, args); err != nil {
		return err
	}
	if *which == "demo" {
		return runLoadDemo(ctx, env, *db)
	}
	var fsys fs.FS
	if *which == "default" {
		fsys = dataset.Default()
	} else {
		var err error
		if fsys, err = dataset.Dir(*which); err != nil {
			return err
		}
	}
	d, err := openDB(ctx, *db, true)
	if err != nil {
		return err
	}
	defer d.Close()
	sum, err := dataset.Load(ctx, d, cliPrincipal(), env.Now(), fsys)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "数据集 %s 已载入 / dataset %s loaded: 新增 created %d, 更新 updated %d, 未变 unchanged %d\n",
		*which, *which, sum.Created, sum.Updated, sum.Unchanged)
	return nil
}

// cliPrincipal is the operator at the terminal, named in the audit log by OS user.
func cliPrincipal() *auth.Principal {
	name := "operator"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return auth.CLI(name)
}

// runLoadDemo loads the synthetic demonstration year (示例数据) on top of the default dataset.
func runLoadDemo(ctx context.Context, env *Env, target string) error {
	d, err := openDB(ctx, target, true)
	if err != nil {
		return err
	}
	defer d.Close()
	sum, err := dataset.LoadDemo(ctx, d, cliPrincipal())
	if err != nil {
		return err
	}
	if sum.AlreadyLoaded {
		fmt.Fprintln(env.Stdout, "示例年度已载入，未作改动 / the demonstration year is already loaded; nothing changed")
		return nil
	}
	fmt.Fprintf(env.Stdout, "示例年度（虚构数据）已载入 / demonstration year (synthetic) loaded: 下达 grants %d, 生产报告 reports %d, 矿业权 rights %d, 配置轮次 rounds %d, 储备业务 reserve operations %d\n",
		sum.Grants, sum.Reports, sum.Rights, sum.Rounds, sum.ReserveOps)
	return nil
}
