package cli

import (
	"context"
	"encoding/base64"
	"fmt"

	"zhanxin/internal/trace"
)

// runVerify recomputes the EPCIS log from the stored events and fails (exit 1) on any
// edited, removed or reordered event, listing every problem, so that a cron job notices.
func runVerify(ctx context.Context, env *Env, args []string) error {
	f := env.flags("verify", "verify [--db …]")
	db := dbFlag(f)
	if err := env.parse(f, args); err != nil {
		return err
	}
	d, err := openDB(ctx, *db, true)
	if err != nil {
		return err
	}
	defer d.Close()
	rep, err := trace.Verify(ctx, d)
	if err != nil {
		return err
	}
	root := base64.StdEncoding.EncodeToString(rep.Root[:])
	if len(rep.Problems) == 0 {
		fmt.Fprintf(env.Stdout, "EPCIS 日志校验通过：%d 个事件，根哈希 %s / EPCIS log verified: %d events, root %s\n", rep.Events, root, rep.Events, root)
		return nil
	}
	for _, p := range rep.Problems {
		fmt.Fprintln(env.Stderr, "  "+p)
	}
	return fmt.Errorf("EPCIS 日志校验失败：发现 %d 处问题，事件可能被修改、删除或调换顺序 / EPCIS log verification FAILED: %d problems; events may have been edited, removed or reordered",
		len(rep.Problems), len(rep.Problems))
}
