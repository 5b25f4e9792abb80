// Command touchbase is the Touchbase server: PocketBase with Touchbase's
// collections, rules and hooks, the manager page at / and the dashboard at
// /_/. Run `touchbase serve --demo` to start with a demo data set.
package main

import (
	"embed"
	"io/fs"
	"log"
	"net/http"
	"os"
	_ "time/tzdata" // points name IANA zones; do not depend on the host having them

	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/plugins/migratecmd"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/spf13/cobra"

	"touchbase/demo"
	_ "touchbase/migrations"
	"touchbase/server"
)

//go:embed all:pb_public
var publicFiles embed.FS

func main() {
	// not dev mode under `go run` either: the README runs it that way, and
	// dev mode prints every SQL statement
	app := pocketbase.NewWithConfig(pocketbase.Config{DefaultDev: false})

	var withDemo bool
	app.RootCmd.PersistentFlags().BoolVar(&withDemo, "demo", false,
		"fill an empty data dir with the demo data set before serving (prints the sign-in credentials)")

	migratecmd.MustRegister(app, app.RootCmd, migratecmd.Config{
		TemplateLang: migratecmd.TemplateLangGo,
		Automigrate:  false, // the schema lives in Go migrations written by hand
	})

	server.BindAppHooks(app)

	app.RootCmd.AddCommand(demoCommand(app))
	app.RootCmd.AddCommand(importCommand(app))
	app.RootCmd.AddCommand(exportCommand(app))
	app.RootCmd.AddCommand(digestCommand(app))
	app.RootCmd.AddCommand(verifyAggregatesCommand(app))

	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		if withDemo {
			addr := ""
			if e.Server != nil {
				addr = e.Server.Addr
			}
			if err := demo.SeedIfEmpty(e.App, os.Stdout, servedBaseURL(app.RootCmd, addr)); err != nil {
				return err
			}
		}
		return e.Next()
	})

	// the manager page, embedded in the binary; registered last so that the
	// API and dashboard routes win
	app.OnServe().Bind(&hook.Handler[*core.ServeEvent]{
		Func: func(e *core.ServeEvent) error {
			if !e.Router.HasRoute(http.MethodGet, "/{path...}") {
				public, err := fs.Sub(publicFiles, "pb_public")
				if err != nil {
					return err
				}
				e.Router.GET("/{path...}", apis.Static(public, true))
			}
			return e.Next()
		},
		Priority: 999,
	})

	if err := app.Start(); err != nil {
		log.Fatal(err)
	}
}

// servedBaseURL is the address the running serve command can be opened at,
// for the links printed with the demo credentials: addr is the server's
// (--http, or --https, with PocketBase's defaults applied), and serve's
// --https flag and domain arguments, as PocketBase's serve command parsed
// them, say whether it is https and under which name.
func servedBaseURL(root *cobra.Command, addr string) string {
	tls := false
	var domains []string
	if serve, _, err := root.Find([]string{"serve"}); err == nil && serve.Name() == "serve" {
		if https, err := serve.Flags().GetString("https"); err == nil && https != "" {
			tls = true
		}
		domains = serve.Flags().Args()
	}
	return demo.BaseURL(addr, tls || len(domains) > 0, domains)
}
