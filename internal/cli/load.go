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
	f := env.flags("load", "load [--db …] [--dataset default|DIR]")
	db := dbFlag(f)
	which := f.String("dataset", "default", "数据集：default（内置赣州数据集）或目录 / dataset: default (built in) or a directory")
	if err := env.parse(f, args); err != nil {
		return err
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
