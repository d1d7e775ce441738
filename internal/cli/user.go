package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"zhanxin/internal/auth"
	"zhanxin/internal/store"
	"zhanxin/internal/users"
)

const userUsage = `用法 / usage: zhanxin user <subcommand> [flags]
  add             新增用户 / add a user
  list            列出用户 / list users
  passwd          重设密码 / set a user's password
  disable         停用（--enable 恢复）/ disable a user (--enable re-enables)
  token create    创建 API 令牌 / create an API token
  token revoke    吊销 API 令牌 / revoke an API token
  token list      列出 API 令牌 / list API tokens`

func runUser(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(env.Stderr, userUsage)
		return errUsage
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprintln(env.Stdout, userUsage)
		return nil
	case "add":
		return userAdd(ctx, env, args[1:])
	case "list":
		return userList(ctx, env, args[1:])
	case "passwd":
		return userPasswd(ctx, env, args[1:])
	case "disable":
		return userDisable(ctx, env, args[1:])
	case "token":
		if len(args) > 1 {
			switch args[1] {
			case "create":
				return tokenCreate(ctx, env, args[2:])
			case "revoke":
				return tokenRevoke(ctx, env, args[2:])
			case "list":
				return tokenList(ctx, env, args[2:])
			}
		}
	}
	fmt.Fprintln(env.Stderr, userUsage)
	return errUsage
}

// withUsers opens the database (refusing a stale schema), runs fn with the account
// service, and closes the database.
func withUsers(ctx context.Context, env *Env, target string, fn func(*users.Service) error) error {
	d, err := openDB(ctx, target, true)
	if err != nil {
		return err
	}
	defer d.Close()
	log, _ := logFlags{format: ptr("text"), level: ptr("warn")}.build(env.Stderr)
	return fn(users.New(d, env.Now, log))
}

func ptr(s string) *string { return &s }

// readPassword takes the password from --password, or one line of standard input (so it
// stays out of shell history: echo "$PW" | zhanxin user add …).
func readPassword(env *Env, flagValue string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	sc := bufio.NewScanner(env.Stdin)
	if sc.Scan() {
		if pw := strings.TrimRight(sc.Text(), "\r\n"); pw != "" {
			return pw, nil
		}
	}
	return "", errors.New("未给出密码：用 --password 或从标准输入传入一行 / no password: give --password or one line on standard input")
}

func userAdd(ctx context.Context, env *Env, args []string) error {
	f := env.flags("user add", "user add --username NAME --role ROLE [--name 姓名] [--region CODE] [--enterprise ID] [--password PW | stdin]")
	db := dbFlag(f)
	username := f.String("username", "", "用户名 / user name")
	name := f.String("name", "", "姓名（默认同用户名）/ display name (default: the user name)")
	role := f.String("role", "", "角色 / role: admin, planner, regulator, county, enterprise, viewer")
	region := f.String("region", "", "县级用户绑定的行政区代码 / county users: their region code (e.g. 360702)")
	ent := f.Int64("enterprise", 0, "企业用户绑定的企业编号 / enterprise users: their enterprise id")
	password := f.String("password", "", "初始密码（不给则从标准输入读）/ initial password (else read from stdin)")
	mustChange := f.Bool("must-change", true, "首次登录须修改密码 / must change the password at first login")
	if err := env.parse(f, args); err != nil {
		return err
	}
	if *username == "" || *role == "" {
		fmt.Fprintln(env.Stderr, "zhanxin user add: --username 和 --role 必填 / --username and --role are required")
		return errUsage
	}
	pw, err := readPassword(env, *password)
	if err != nil {
		return err
	}
	if *name == "" {
		*name = *username
	}
	return withUsers(ctx, env, *db, func(svc *users.Service) error {
		v, err := svc.Add(ctx, cliPrincipal(), users.NewUser{Username: *username, DisplayName: *name, Role: auth.Role(*role),
			RegionCode: *region, EnterpriseID: *ent, Password: pw, MustChange: *mustChange})
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "已新增用户 / added user %s (id %d, %s)\n", v.Username, v.ID, v.Role)
		return nil
	})
}

func userList(ctx context.Context, env *Env, args []string) error {
	f := env.flags("user list", "user list [--db …]")
	db := dbFlag(f)
	if err := env.parse(f, args); err != nil {
		return err
	}
	return withUsers(ctx, env, *db, func(svc *users.Service) error {
		p, err := svc.List(ctx, cliPrincipal(), store.ListQuery{})
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\t用户名/username\t姓名/name\t角色/role\t行政区/region\t企业/enterprise\t状态/status")
		for _, u := range p.Rows {
			status := "启用 active"
			if u.Disabled {
				status = "停用 disabled"
			}
			ent := ""
			if u.EnterpriseID != 0 {
				ent = strconv.FormatInt(u.EnterpriseID, 10)
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", u.ID, u.Username, u.DisplayName, u.Role, u.RegionCode, ent, status)
		}
		return tw.Flush()
	})
}

func userPasswd(ctx context.Context, env *Env, args []string) error {
	f := env.flags("user passwd", "user passwd --username NAME [--password PW | stdin] [--must-change=false]")
	db := dbFlag(f)
	username := f.String("username", "", "用户名 / user name")
	password := f.String("password", "", "新密码（不给则从标准输入读）/ new password (else read from stdin)")
	mustChange := f.Bool("must-change", true, "下次登录须修改密码 / must change it at next login")
	if err := env.parse(f, args); err != nil {
		return err
	}
	if *username == "" {
		fmt.Fprintln(env.Stderr, "zhanxin user passwd: --username 必填 / --username is required")
		return errUsage
	}
	pw, err := readPassword(env, *password)
	if err != nil {
		return err
	}
	return withUsers(ctx, env, *db, func(svc *users.Service) error {
		if err := svc.SetPassword(ctx, cliPrincipal(), *username, pw, *mustChange); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "已重设 %s 的密码，其登录会话已结束 / password of %s set; their sessions have ended\n", *username, *username)
		return nil
	})
}

func userDisable(ctx context.Context, env *Env, args []string) error {
	f := env.flags("user disable", "user disable --username NAME [--enable]")
	db := dbFlag(f)
	username := f.String("username", "", "用户名 / user name")
	enable := f.Bool("enable", false, "恢复启用 / re-enable instead")
	if err := env.parse(f, args); err != nil {
		return err
	}
	if *username == "" {
		fmt.Fprintln(env.Stderr, "zhanxin user disable: --username 必填 / --username is required")
		return errUsage
	}
	return withUsers(ctx, env, *db, func(svc *users.Service) error {
		if err := svc.SetDisabled(ctx, cliPrincipal(), *username, !*enable); err != nil {
			return err
		}
		if *enable {
			fmt.Fprintf(env.Stdout, "已启用 / enabled %s\n", *username)
		} else {
			fmt.Fprintf(env.Stdout, "已停用 %s，其会话与令牌立即失效 / disabled %s; their sessions and tokens stop working now\n", *username, *username)
		}
		return nil
	})
}

func tokenCreate(ctx context.Context, env *Env, args []string) error {
	f := env.flags("user token create", "user token create --username NAME --name LABEL [--ttl 90d]")
	db := dbFlag(f)
	username := f.String("username", "", "令牌所属用户 / user the token acts as")
	name := f.String("name", "", "令牌用途说明 / what the token is for")
	ttl := f.String("ttl", "90d", "有效期，如 90d、12h；0 为永久 / lifetime, e.g. 90d or 12h; 0 never expires")
	if err := env.parse(f, args); err != nil {
		return err
	}
	if *username == "" || *name == "" {
		fmt.Fprintln(env.Stderr, "zhanxin user token create: --username 和 --name 必填 / --username and --name are required")
		return errUsage
	}
	d, err := users.ParseTTL(*ttl)
	if err != nil {
		return fmt.Errorf("--ttl: %v", err)
	}
	return withUsers(ctx, env, *db, func(svc *users.Service) error {
		secret, v, err := svc.CreateToken(ctx, cliPrincipal(), *username, *name, d)
		if err != nil {
			return err
		}
		exp := "永不过期 / never"
		if !v.ExpiresAt.IsZero() {
			exp = v.ExpiresAt.Local().Format(time.DateTime)
		}
		fmt.Fprintf(env.Stderr, "令牌 %d 已创建，过期：%s；下一行是令牌本身，只显示这一次 / token %d created, expires %s; the next line is the token, shown this once\n",
			v.ID, exp, v.ID, exp)
		fmt.Fprintln(env.Stdout, secret)
		return nil
	})
}

func tokenRevoke(ctx context.Context, env *Env, args []string) error {
	f := env.flags("user token revoke", "user token revoke --id ID")
	db := dbFlag(f)
	id := f.Int64("id", 0, "令牌编号 / token id")
	if err := env.parse(f, args); err != nil {
		return err
	}
	if *id <= 0 {
		fmt.Fprintln(env.Stderr, "zhanxin user token revoke: --id 必填 / --id is required")
		return errUsage
	}
	return withUsers(ctx, env, *db, func(svc *users.Service) error {
		if err := svc.RevokeToken(ctx, cliPrincipal(), *id); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "已吊销令牌 / revoked token %d\n", *id)
		return nil
	})
}

func tokenList(ctx context.Context, env *Env, args []string) error {
	f := env.flags("user token list", "user token list [--db …]")
	db := dbFlag(f)
	if err := env.parse(f, args); err != nil {
		return err
	}
	return withUsers(ctx, env, *db, func(svc *users.Service) error {
		p, err := svc.ListTokens(ctx, cliPrincipal(), true, store.ListQuery{})
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\t用户/user\t名称/name\t前缀/prefix\t创建/created\t过期/expires\t吊销/revoked")
		for _, k := range p.Rows {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Username, k.Name, k.Prefix, fmtT(k.CreatedAt), fmtT(k.ExpiresAt), fmtT(k.RevokedAt))
		}
		return tw.Flush()
	})
}

func fmtT(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Local().Format(time.DateTime)
}
