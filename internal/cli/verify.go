package cli

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"zhanxin/internal/store"
	"zhanxin/internal/trace"
)

// runVerify recomputes the EPCIS log from the stored events and fails (exit 1) on any
// edited, removed or reordered event, listing every problem, so that a cron job notices.
// With --checkpoint it also checks the log against a checkpoint saved earlier outside the
// database, which catches a rewrite of the whole log by someone who can write to the
// database.
func runVerify(ctx context.Context, env *Env, args []string) error {
	f := env.flags("verify", "verify [--db …] [--checkpoint FILE [--key VERIFIER-KEY]]")
	db := dbFlag(f)
	cpFile := f.String("checkpoint", "", "先前保存的签名检查点文件 / a signed checkpoint saved earlier (the text of GET /epcis/checkpoint's \"checkpoint\")")
	keyArg := f.String("key", "", "检查点的验证公钥（note 格式，或含公钥的文件）；缺省用数据库中的公钥 / verifier key (note format, or a file holding it); default: the one in the database")
	if err := env.parse(f, args); err != nil {
		return err
	}
	var cpText []byte
	if *cpFile != "" {
		b, err := os.ReadFile(*cpFile)
		if err != nil {
			return fmt.Errorf("读取检查点文件 / read the checkpoint file: %w", err)
		}
		cpText = b
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
	var cp trace.Checkpoint
	if cpText != nil {
		if cp, err = checkpointFrom(ctx, d, cpText, *keyArg); err != nil {
			rep.Problems = append(rep.Problems, err.Error())
		} else {
			rep.CheckCheckpoint(cp)
		}
	}
	root := base64.StdEncoding.EncodeToString(rep.Root[:])
	if len(rep.Problems) == 0 {
		fmt.Fprintf(env.Stdout, "EPCIS 日志校验通过：%d 个事件，根哈希 %s / EPCIS log verified: %d events, root %s\n", rep.Events, root, rep.Events, root)
		if cpText != nil {
			fmt.Fprintf(env.Stdout, "与检查点一致：检查点的 %d 个事件是当前日志的前缀 / consistent with the checkpoint: its %d events are a prefix of the log\n", cp.Size, cp.Size)
		}
		return nil
	}
	for _, p := range rep.Problems {
		fmt.Fprintln(env.Stderr, "  "+p)
	}
	return fmt.Errorf("EPCIS 日志校验失败：发现 %d 处问题，事件可能被修改、删除或调换顺序 / EPCIS log verification FAILED: %d problems; events may have been edited, removed or reordered",
		len(rep.Problems), len(rep.Problems))
}

// checkpointFrom reads a checkpoint and checks its signature with key (a verifier key or a
// file holding one) or, without one, the key stored in the database.
func checkpointFrom(ctx context.Context, d *store.DB, text []byte, key string) (trace.Checkpoint, error) {
	var v note.Verifier
	var err error
	if key == "" {
		v, err = trace.StoredVerifier(ctx, d)
	} else {
		if b, rerr := os.ReadFile(key); rerr == nil {
			key = strings.TrimSpace(string(b))
		}
		v, err = note.NewVerifier(key)
	}
	if err != nil {
		return trace.Checkpoint{}, fmt.Errorf("检查点验证公钥不可用 / the checkpoint verifier key is unusable: %w", err)
	}
	cp, err := trace.ParseCheckpoint(text, v)
	if err != nil {
		return trace.Checkpoint{}, fmt.Errorf("检查点签名或格式无效 / the checkpoint's signature or format is invalid: %w", err)
	}
	return cp, nil
}
