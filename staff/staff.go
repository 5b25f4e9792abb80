// Package staff keeps the organisation valid: a point manager has a point,
// a point has a real time zone and a name no other point has in any
// script.
package staff

import (
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"touchbase/access"
	"touchbase/domain"
	"touchbase/phones"
)

// Bind adds the staff rules to app: users and points.
func Bind(app core.App) {
	bindUsers(app)
	bindPoints(app)
}

// bindUsers requires a point for point managers (SPEC §3).
func bindUsers(app core.App) {
	app.OnRecordValidate("users").BindFunc(func(e *core.RecordEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		if e.Record.GetString("role") == access.RolePointManager && e.Record.GetString("point") == "" {
			return domain.FieldErrorT("point", "validation_required", "staff.point_required")
		}
		return nil
	})
}

// bindPoints defaults a point's time zone to the server's and refuses names
// that are not IANA zones, since "today" for the point depends on it; it
// requires the point's country, in which national phone numbers are read.
func bindPoints(app core.App) {
	app.OnRecordValidate("points").BindFunc(func(e *core.RecordEvent) error {
		tz := strings.TrimSpace(e.Record.GetString("timezone"))
		if tz == "" {
			tz = domain.ServerTimezone()
		}
		if _, err := time.LoadLocation(tz); err != nil || tz == "Local" {
			return domain.FieldErrorT("timezone", "validation_invalid_timezone", "point.timezone", tz)
		}
		e.Record.Set("timezone", tz)
		if err := refuseSameName(e.App, e.Record); err != nil {
			return err
		}
		if err := validateCountry(e.Record); err != nil {
			return err
		}
		if e.Record.GetString("language") == "" {
			e.Record.Set("language", domain.LanguageOfCountry(e.Record.GetString("country")))
		}
		return e.Next()
	})
}

// validateCountry requires the point's country (ISO 3166-1 alpha-2, upper
// case), one whose phone numbers package phones can read: national numbers
// of the point's clients are read in it (SPEC §3).
func validateCountry(point *core.Record) error {
	country := strings.ToUpper(strings.TrimSpace(point.GetString("country")))
	if country == "" {
		return domain.FieldErrorT("country", "validation_required", "point.country_required")
	}
	if !phones.SupportedCountry(country) {
		return domain.FieldErrorT("country", "validation_invalid_country", "point.country_unknown", country)
	}
	point.Set("country", country)
	return nil
}

// refuseSameName keeps point names unique in any script: the unique index
// folds only ASCII case, so "Москва" and "МОСКВА" would both pass it. The
// importer finds points by the same domain.FoldName.
func refuseSameName(app core.App, point *core.Record) error {
	points, err := app.FindAllRecords("points")
	if err != nil {
		return err
	}
	name := domain.FoldName(point.GetString("name"))
	for _, other := range points {
		if other.Id != point.Id && domain.FoldName(other.GetString("name")) == name {
			return domain.FieldErrorT("name", "validation_not_unique", "point.name_taken", other.GetString("name"))
		}
	}
	return nil
}
