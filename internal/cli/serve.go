package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"zhanxin/internal/project"
	"zhanxin/internal/users"
	"zhanxin/internal/web"
)

func runServe(ctx context.Context, env *Env, args []string) error {
	f := env.flags("serve", "serve [--db …] [--addr HOST:PORT] [--auto-migrate] …")
	db := dbFlag(f)
	addr := f.String("addr", "127.0.0.1:8080", "监听地址 / listen address (use 0.0.0.0:8080 to serve the intranet)")
	autoMigrate := f.Bool("auto-migrate", false, "启动前执行数据库迁移 / apply pending migrations before serving")
	maxBody := f.Int64("max-body-mb", 64, "请求体上限（MB）/ largest request body accepted, in MB")
	stallDays := f.Int("project-stall-days", project.DefaultStallDays, "项目多少天未变更阶段即为停滞 / days without a stage change after which a project is stalled")
	trustProxy := f.Bool("trust-proxy", false, "信任反向代理的 X-Forwarded-For/-Proto / trust X-Forwarded-For and -Proto from a reverse proxy")
	tlsCert := f.String("tls-cert", "", "TLS 证书文件 / TLS certificate file (serve HTTPS)")
	tlsKey := f.String("tls-key", "", "TLS 私钥文件 / TLS key file")
	secure := f.Bool("secure-cookies", false, "强制 Cookie 的 Secure 标志（TLS 在代理处终止时）/ force Secure cookies (when TLS ends at a proxy)")
	logs := addLogFlags(f)
	if err := env.parse(f, args); err != nil {
		return err
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		return errors.New("--tls-cert 与 --tls-key 须同时给出 / give both --tls-cert and --tls-key")
	}
	if *stallDays < 1 {
		return fmt.Errorf("--project-stall-days=%d 无效：须为正整数天数 / --project-stall-days=%d is not valid: give a positive number of days", *stallDays, *stallDays)
	}
	log, err := logs.build(env.Stderr)
	if err != nil {
		return err
	}
	d, err := openDB(ctx, *db, false)
	if err != nil {
		return err
	}
	defer d.Close()
	if *autoMigrate {
		done, err := d.Migrate(ctx, env.Now)
		if err != nil {
			return err
		}
		if len(done) > 0 {
			log.Info("migrations applied", "count", len(done))
		}
	}
	if err := d.CheckSchema(ctx); err != nil {
		return err
	}
	us := users.New(d, env.Now, log)
	pw, err := us.EnsureAdmin(ctx)
	if err != nil {
		return err
	}
	if pw != "" {
		fmt.Fprintf(env.Stdout, "\n首次启动：已创建管理员 admin，一次性密码 / first start: created user admin with one-time password\n\n    %s\n\n"+
			"登录后须立即修改；此密码不会再次显示 / you must change it at first login; it will not be shown again\n\n", pw)
	}
	cat := env.cat
	s, err := web.New(ctx, web.Config{MaxBodyBytes: *maxBody << 20, TrustProxy: *trustProxy,
		SecureCookies: *secure || *tlsCert != "", Version: Version, ProjectStallDays: *stallDays}, log, d, cat, env.Now)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("无法监听 %s：%v；请换一个端口（--addr）或停止占用该端口的程序 / cannot listen on %s: %v; choose another --addr or stop what uses it",
			*addr, err, *addr, err)
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 5 * time.Minute,
		WriteTimeout: 5 * time.Minute, IdleTimeout: 2 * time.Minute}
	scheme := "http"
	if *tlsCert != "" {
		scheme = "https"
	}
	log.Info("serving", "url", scheme+"://"+ln.Addr().String(), "db", d.Target(), "version", Version)
	fmt.Fprintf(env.Stdout, "战新平台已启动 / zhanxin is running at %s://%s\n", scheme, ln.Addr())
	if env.Ready != nil {
		env.Ready(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() {
		if *tlsCert != "" {
			errc <- srv.ServeTLS(ln, *tlsCert, *tlsKey)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}
