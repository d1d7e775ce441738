package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"zhanxin/internal/store"
)

func runBackup(ctx context.Context, env *Env, args []string) error {
	f := env.flags("backup", "backup --to FILE [--db sqlite:…]   (PostgreSQL: prints the pg_dump command)")
	db := dbFlag(f)
	to := f.String("to", "", "备份文件路径（SQLite）/ backup file to write (SQLite)")
	if err := env.parse(f, args); err != nil {
		return err
	}
	d, err := openDB(ctx, *db, false)
	if err != nil {
		return err
	}
	defer d.Close()
	if d.Dialect == store.Postgres {
		fmt.Fprintln(env.Stdout, "PostgreSQL 请使用 pg_dump 备份 / back up PostgreSQL with pg_dump:")
		fmt.Fprintln(env.Stdout, "  "+d.PgDumpCommand())
		fmt.Fprintln(env.Stdout, "恢复 / restore:  pg_restore --clean --if-exists --no-owner -d '<URL>' zhanxin.dump")
		return nil
	}
	if *to == "" {
		fmt.Fprintln(env.Stderr, "zhanxin backup: 缺少 --to 备份文件路径 / --to FILE is required")
		return errUsage
	}
	if dir := filepath.Dir(*to); dir != "" {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return fmt.Errorf("备份目录 %s 不存在：请先创建 / backup directory %s does not exist: create it first", dir, dir)
		}
	}
	if _, err := os.Stat(*to); err == nil {
		return fmt.Errorf("备份文件 %s 已存在：请换一个文件名 / backup file %s exists: choose another name", *to, *to)
	}
	if err := d.BackupSQLite(ctx, *to); err != nil {
		return err
	}
	st, err := os.Stat(*to)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "已备份到 / backed up to %s (%d bytes)\n", *to, st.Size())
	return nil
}
