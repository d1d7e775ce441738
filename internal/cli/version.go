package cli

import (
	"context"
	"fmt"
	"runtime"
)

func runVersion(ctx context.Context, env *Env, args []string) error {
	fs := env.flags("version", "version")
	if err := env.parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "zhanxin %s (%s, %s/%s)\n", Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}
