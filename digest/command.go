package digest

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"touchbase/texts"
)

// Command is the `digest [--user EMAIL] [--dry-run]` command (SPEC §9) at
// now, writing to out.
//
// With dryRun it prints the plain-text e-mail of the user (of every user
// with digest on, without one), whatever the hour and whether it went
// today, and says when there is nothing to send; nothing is sent or
// recorded. Without dryRun it sends: to the user now, whatever the hour
// (unless their e-mail of the day already went or they turned it off), or
// to everyone whose e-mail is due, like a run of the job.
func Command(app core.App, out io.Writer, email string, dryRun bool, now time.Time) error {
	var users []*core.Record
	if email != "" {
		user, err := app.FindAuthRecordByEmail("users", strings.TrimSpace(email))
		if err != nil {
			return fmt.Errorf("--user: no user has the email %q", email)
		}
		users = []*core.Record{user}
	}

	if dryRun {
		if users == nil {
			var err error
			if users, err = app.FindRecordsByFilter("users", "digest = true", "email", 0, 0); err != nil {
				return err
			}
		}
		batch := NewBatch(app, now)
		for i, user := range users {
			d, err := batch.Build(user)
			if err != nil {
				return fmt.Errorf("%s: %w", user.Email(), err)
			}
			if i > 0 {
				fmt.Fprintln(out)
			}
			if d.Empty() {
				fmt.Fprintln(out, texts.T(texts.EN, "digest.nothing", user.Email()))
				continue
			}
			fmt.Fprintf(out, "To: %s\nSubject: %s\n\n%s", user.Email(), d.Subject(), d.Text())
		}
		return nil
	}

	if users == nil {
		res, err := Run(app, now)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "sent %d, nothing to send %d, failed %d\n", len(res.Sent), len(res.Empty), len(res.Failed))
		for _, e := range res.Sent {
			fmt.Fprintln(out, "sent to", e)
		}
		for _, e := range res.Failed {
			fmt.Fprintln(out, "failed for", e, "(see the logs)")
		}
		if len(res.Failed) > 0 {
			return fmt.Errorf("%d e-mails failed", len(res.Failed))
		}
		return nil
	}

	user := users[0]
	if !user.GetBool("digest") {
		return fmt.Errorf("%s has the morning e-mail turned off (users.digest)", user.Email())
	}
	outcome, err := Deliver(app, user, now)
	switch {
	case errors.Is(err, ErrAlreadySent):
		fmt.Fprintf(out, "%s: today's morning e-mail was already handled; nothing sent (once a day)\n", user.Email())
		return nil
	case err != nil:
		return fmt.Errorf("%s: %w", user.Email(), err)
	case outcome == outcomeEmpty:
		fmt.Fprintln(out, texts.T(texts.EN, "digest.nothing", user.Email()))
	default:
		fmt.Fprintln(out, "sent to", user.Email())
	}
	return nil
}
