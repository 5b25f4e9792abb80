// Package domain holds the small pieces of Touchbase's rules that both the
// record hooks and the custom routes need: who the caller is, how search
// text is folded, which hold applies, a point's time zone, and the 400
// that names a field.
package domain

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
)

// Staff roles (users.role).
const (
	RoleServiceManager = "service_manager"
	RolePointManager   = "point_manager"
)

// IsStaff reports whether auth is a signed-in Touchbase user (not a
// superuser, not anonymous).
func IsStaff(auth *core.Record) bool {
	return auth != nil && auth.Collection().Name == "users"
}

// IsServiceManager reports whether auth is a signed-in service manager.
func IsServiceManager(auth *core.Record) bool {
	return IsStaff(auth) && auth.GetString("role") == RoleServiceManager
}

// FieldError is a 400 whose data names the offending field, in
// PocketBase's error format, so clients can show it next to the input.
func FieldError(field, code, message string) *router.ApiError {
	return apis.NewBadRequestError(message, validation.Errors{
		field: validation.NewError(code, message),
	})
}

// ScopeError is a 403 whose data names the parameter that asked for data
// outside the caller's scope.
func ScopeError(field, message string) *router.ApiError {
	return apis.NewForbiddenError(message, validation.Errors{
		field: validation.NewError("validation_scope", message),
	})
}

// NormalizeSearch folds text for case-insensitive search in any script:
// SQLite's LIKE folds only ASCII, so clients keep a lower-cased copy of
// their name and contact (with ё as е) in the hidden "search" column, and
// queries are normalised the same way.
func NormalizeSearch(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.ReplaceAll(s, "ё", "е")
}

// DBTime formats t the way PocketBase stores dates, for comparisons in SQL.
func DBTime(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04:05.000Z")
}

// ActiveHold returns the client's hold that applies to occasionId at now:
// not expired (until empty or in the future) and either for every occasion
// or for this one. Expiry needs no job: it is compared with now here.
func ActiveHold(app core.App, clientId, occasionId string, now time.Time) (*core.Record, error) {
	holds, err := app.FindRecordsByFilter("holds",
		"client = {:client} && (until = '' || until > {:now}) && (occasion = '' || occasion = {:occasion})",
		"-created", 1, 0,
		dbx.Params{"client": clientId, "occasion": occasionId, "now": DBTime(now)})
	if err != nil || len(holds) == 0 {
		return nil, err
	}
	return holds[0], nil
}

// DescribeHold states a hold for a person: its reason, the ticket or note,
// and until when.
func DescribeHold(app core.App, hold *core.Record) string {
	text := "reason: " + hold.GetString("reason")
	if id := hold.GetString("ticket"); id != "" {
		if ticket, err := app.FindRecordById("tickets", id); err == nil {
			text += fmt.Sprintf(", open ticket «%s»", ticket.GetString("title"))
		}
	} else if note := hold.GetString("note"); note != "" {
		text += ", " + note
	}
	if id := hold.GetString("occasion"); id != "" {
		if occasion, err := app.FindRecordById("occasions", id); err == nil {
			text += fmt.Sprintf(", for «%s» only", occasion.GetString("title"))
		}
	}
	if until := hold.GetDateTime("until"); !until.IsZero() {
		text += ", until " + until.Time().Format("2006-01-02")
	} else {
		text += ", until lifted"
	}
	return text
}

// PointLocation is the point's time zone, or the server's when unset.
func PointLocation(point *core.Record) *time.Location {
	if tz := point.GetString("timezone"); tz != "" {
		if loc, err := time.LoadLocation(tz); err == nil {
			return loc
		}
	}
	return time.Local
}

// ServerTimezone is the IANA name of the server's zone: $TZ, else the
// target of /etc/localtime, else UTC.
func ServerTimezone() string {
	if tz := os.Getenv("TZ"); tz != "" {
		if _, err := time.LoadLocation(tz); err == nil {
			return tz
		}
	}
	if target, err := os.Readlink("/etc/localtime"); err == nil {
		if i := strings.Index(target, "zoneinfo/"); i >= 0 {
			return target[i+len("zoneinfo/"):]
		}
	}
	return "UTC"
}
