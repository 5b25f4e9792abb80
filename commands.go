package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	"touchbase/aggregates"
	"touchbase/csvio"
	"touchbase/demo"
	"touchbase/digest"
	"touchbase/domain"
)

// The commands Touchbase adds to PocketBase's (SPEC §9): demo, import and
// export.

// demoCommand fills an empty data dir with the demo data set and prints the
// staff credentials. No server runs yet, so --http says where the links
// should point (the address serve will be given).
func demoCommand(app core.App) *cobra.Command {
	var httpAddr string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Fill an empty data dir with a bilingual demo data set and print the credentials",
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := app.RunAllMigrations(); err != nil {
				return err
			}
			return demo.SeedIfEmpty(app, os.Stdout, demo.BaseURL(httpAddr, false, nil))
		},
	}
	cmd.Flags().StringVar(&httpAddr, "http", "127.0.0.1:8090", "the address serve will listen on (its --http), for the printed links")
	return cmd
}

// importCommand is `touchbase import clients|contacts|events FILE.csv`: all rows or none,
// with a line-numbered report of the rejected ones (SPEC §9). A rejected
// file exits non-zero.
func importCommand(app core.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Import data from a CSV file: every row or none, with a line-numbered report",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "clients FILE.csv",
		Short: "Create the clients listed in a CSV file (- reads standard input)",
		Long: `Create the clients listed in a CSV file, all or nothing.

The first line names the columns: ` + strings.Join(csvio.ClientColumns, ", ") + `
(name and point required, any order). point is the point's name, manager the
user's email, tags are separated by ";", dates are YYYY-MM-DD or DD.MM.YYYY.
The file is UTF-8 (with or without BOM) or Windows-1251, delimited by "," or ";".
When any row has a problem, nothing is imported and every problem is listed
with its line number.`,
		Args:         cobra.ExactArgs(1),
		SilenceUsage: true,
		RunE:         runImport(app, csvio.ImportClients),
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "contacts FILE.csv",
		Short: "Add the people listed in a CSV file to existing clients (- reads standard input)",
		Long: `Add the people listed in a CSV file to existing clients, all or nothing.

The first line names the columns: ` + strings.Join(csvio.ContactColumns, ", ") + `
(client and name required, any order). client is the client's id or name (add
point, the point's name, when two points have clients of that name); role,
language and channel take the schema's values; birthday is YYYY-MM-DD or
DD.MM.YYYY; primary and archived are true or false. A client's first contact
becomes its primary one; a row with primary=true takes over.
When any row has a problem, nothing is imported and every problem is listed
with its line number.`,
		Args:         cobra.ExactArgs(1),
		SilenceUsage: true,
		RunE:         runImport(app, csvio.ImportContacts),
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "events FILE.csv",
		Short: "Record the events listed in a CSV file for existing clients (- reads standard input)",
		Long: `Record the events listed in a CSV file for existing clients, all or nothing.

The first line names the columns: ` + strings.Join(csvio.EventColumns, ", ") + `
(client, kind and date required, any order). client is the client's id or name
(add point, the point's name, when two points have clients of that name); kind
takes the schema's values (` + strings.Join(domain.EventKinds, ", ") + `); date is
YYYY-MM-DD or DD.MM.YYYY; occasion (for a purchase: what was bought) is an
occasion's id or title. A row whose (source, external_id) is already recorded is
skipped and listed, so the same feed can be imported again.
When any row has a problem, nothing is imported and every problem is listed
with its line number.`,
		Args:         cobra.ExactArgs(1),
		SilenceUsage: true,
		RunE:         runImport(app, csvio.ImportEvents),
	})
	return cmd
}

// exportCommand is `touchbase export touches|clients`: CSV on standard
// output (SPEC §9), with every point's data.
func exportCommand(app core.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write touches or clients as CSV to standard output",
	}

	var point, occasion, status, from, to string
	var bom bool
	touches := &cobra.Command{
		Use:          "touches",
		Short:        "Write touches as CSV (the columns of the export/touches.csv route)",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := app.RunAllMigrations(); err != nil {
				return err
			}
			if status != "" && !slices.Contains(domain.TouchStatuses, status) {
				return fmt.Errorf("--status: expected %s, not %q", strings.Join(domain.TouchStatuses, " or "), status)
			}
			filter := csvio.TouchFilter{Status: status}
			loc := time.Local
			if point != "" {
				p, err := findPointByName(app, point)
				if err != nil {
					return err
				}
				filter.Points = []string{p.Id}
				loc = domain.PointLocation(p)
			}
			if occasion != "" {
				id, err := findOccasionByIdOrTitle(app, occasion)
				if err != nil {
					return err
				}
				filter.Occasion = id
			}
			var ok bool
			if from != "" {
				if filter.From, ok = csvio.ParseDate(from, loc, false); !ok {
					return fmt.Errorf("--from: expected YYYY-MM-DD or an RFC 3339 time, not %q", from)
				}
			}
			if to != "" {
				if filter.To, ok = csvio.ParseDate(to, loc, true); !ok {
					return fmt.Errorf("--to: expected YYYY-MM-DD or an RFC 3339 time, not %q", to)
				}
			}
			out := cmd.OutOrStdout()
			if bom {
				io.WriteString(out, csvio.BOM)
			}
			return csvio.ExportTouches(app, out, filter)
		},
	}
	touches.Flags().StringVar(&point, "point", "", "only this point's clients (the point's name)")
	touches.Flags().StringVar(&occasion, "occasion", "", "only this occasion (its id or exact title)")
	touches.Flags().StringVar(&status, "status", "", "only done or skipped marks")
	touches.Flags().StringVar(&from, "from", "", "created on or after this day (YYYY-MM-DD, in the point's zone with --point) or time (RFC 3339)")
	touches.Flags().StringVar(&to, "to", "", "created on or before this day or time")
	touches.Flags().BoolVar(&bom, "bom", false, "start with a UTF-8 byte-order mark, for Excel")

	var clientsPoint string
	var clientsBOM bool
	clients := &cobra.Command{
		Use:          "clients",
		Short:        "Write clients as CSV, in the form `import clients` reads",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := app.RunAllMigrations(); err != nil {
				return err
			}
			var points []string
			if clientsPoint != "" {
				p, err := findPointByName(app, clientsPoint)
				if err != nil {
					return err
				}
				points = []string{p.Id}
			}
			out := cmd.OutOrStdout()
			if clientsBOM {
				io.WriteString(out, csvio.BOM)
			}
			return csvio.ExportClients(app, out, points)
		},
	}
	clients.Flags().StringVar(&clientsPoint, "point", "", "only this point's clients (the point's name)")
	clients.Flags().BoolVar(&clientsBOM, "bom", false, "start with a UTF-8 byte-order mark, for Excel")

	cmd.AddCommand(touches, clients)
	return cmd
}

// findPointByName finds a point by its id, or by its name compared as point
// names are kept unique (domain.FoldName: any case, ё as е).
func findPointByName(app core.App, name string) (*core.Record, error) {
	points, err := app.FindAllRecords("points")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, p := range points {
		if p.Id == name || domain.FoldName(p.GetString("name")) == domain.FoldName(name) {
			return p, nil
		}
		names = append(names, p.GetString("name"))
	}
	return nil, fmt.Errorf("--point: no point is named %q; the points are %s", name, strings.Join(names, ", "))
}

// findOccasionByIdOrTitle finds an occasion by id, or by a title that
// exactly one occasion has.
func findOccasionByIdOrTitle(app core.App, idOrTitle string) (string, error) {
	if o, err := app.FindRecordById("occasions", idOrTitle); err == nil {
		return o.Id, nil
	}
	var ids []string
	err := app.DB().Select("id").From("occasions").
		Where(dbx.NewExp("title = {:title} COLLATE NOCASE", dbx.Params{"title": strings.TrimSpace(idOrTitle)})).
		Column(&ids)
	switch {
	case err != nil:
		return "", err
	case len(ids) == 1:
		return ids[0], nil
	case len(ids) == 0:
		return "", fmt.Errorf("--occasion: no occasion has the id or title %q", idOrTitle)
	default:
		return "", fmt.Errorf("--occasion: %d occasions are titled %q; give one of their ids: %s", len(ids), idOrTitle, strings.Join(ids, ", "))
	}
}

// runImport runs an import command: FILE.csv (or - for standard input)
// through importFile, printing its line-numbered report; a rejected file
// exits with an error.
func runImport(app core.App, importFile func(core.App, io.Reader) (csvio.Report, error)) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if err := app.RunAllMigrations(); err != nil {
			return err
		}
		var in io.Reader = cmd.InOrStdin()
		if args[0] != "-" {
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			in = f
		}
		report, err := importFile(app, in)
		fmt.Fprint(cmd.OutOrStdout(), report.String())
		if errors.Is(err, csvio.ErrRejected) {
			return fmt.Errorf("%s: %w", args[0], err)
		}
		return err
	}
}

// digestCommand is `touchbase digest [--user EMAIL] [--dry-run]`: the
// morning e-mail (SPEC §4.10, §9) now, through the mailer of the dashboard's
// settings, or printed with --dry-run (see digest.Command).
func digestCommand(app core.App) *cobra.Command {
	var user string
	var dryRun bool
	cmd := &cobra.Command{
		Use:          "digest",
		Short:        "Send the morning e-mail now (to --user, or to everyone it is due for), or print it with --dry-run",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := app.RunAllMigrations(); err != nil {
				return err
			}
			return digest.Command(app, cmd.OutOrStdout(), user, dryRun, time.Now())
		},
	}
	cmd.Flags().StringVar(&user, "user", "", "only this user (their email)")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "print the plain-text e-mail instead of sending it; records nothing")
	return cmd
}

// verifyAggregatesCommand is `touchbase verify-aggregates`: recomputes the
// maintained aggregates (package aggregates: clients.last_touch and
// mark_counts) from the touches and clients and prints every difference
// as figure, stored, recomputed; a difference exits non-zero.
func verifyAggregatesCommand(app core.App) *cobra.Command {
	return &cobra.Command{
		Use:          "verify-aggregates",
		Short:        "Recompute the maintained aggregates (clients.last_touch) from the touches and print any difference (exits non-zero on one)",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := app.RunAllMigrations(); err != nil {
				return err
			}
			diffs, err := aggregates.Verify(app)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if len(diffs) == 0 {
				fmt.Fprintln(out, "aggregates: no difference")
				return nil
			}
			fmt.Fprintln(out, "figure\tstored\trecomputed")
			for _, d := range diffs {
				fmt.Fprintf(out, "%s\t%s\t%s\n", d.What, d.Stored, d.Recomputed)
			}
			if len(diffs) == 1 {
				return errors.New("aggregates: 1 difference")
			}
			return fmt.Errorf("aggregates: %d differences", len(diffs))
		},
	}
}
