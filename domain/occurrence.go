package domain

import (
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"touchbase/occurrence"
)

// OccasionRule converts an occasions record for the occurrence package,
// the one reading of which fields decide an occasion's occurrences.
func OccasionRule(occasion *core.Record) occurrence.Occasion {
	return occurrence.Occasion{
		Repeat:   occasion.GetString("repeat"),
		Trigger:  occasion.GetString("trigger"),
		Starts:   occasion.GetDateTime("starts").Time(),
		Ends:     occasion.GetDateTime("ends").Time(),
		Archived: occasion.GetBool("archived"),
	}
}

// ClientDateColumns are the client columns personal occasions take their
// dates from, in the shape a hand-written query scans them into: select
// contact_birthday and since under these names and embed this struct in
// the row type, then convert with Dates.
type ClientDateColumns struct {
	Birthday types.DateTime `db:"contact_birthday"`
	Since    types.DateTime `db:"since"`
}

// Dates converts the columns for the occurrence package; an empty (or
// unreadable) date is zero, "unknown".
func (c ClientDateColumns) Dates() occurrence.Client {
	return occurrence.Client{Birthday: c.Birthday.Time(), Since: c.Since.Time()}
}

// ClientDates converts a clients record for the occurrence package, as
// ClientDateColumns.Dates does a row.
func ClientDates(client *core.Record) occurrence.Client {
	return ClientDateColumns{
		Birthday: client.GetDateTime("contact_birthday"),
		Since:    client.GetDateTime("since"),
	}.Dates()
}
