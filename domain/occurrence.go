package domain

import (
	"github.com/pocketbase/dbx"
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

// ClientDateColumns are the columns personal occasions take their dates
// from, in the shape a hand-written query scans them into: select the
// contact's birthday as contact_birthday and the client's since under
// these names and embed this struct in the row type, then convert with
// Dates.
type ClientDateColumns struct {
	Birthday types.DateTime `db:"contact_birthday"`
	Since    types.DateTime `db:"since"`
}

// Dates converts the columns for the occurrence package; an empty (or
// unreadable) date is zero, "unknown".
func (c ClientDateColumns) Dates() occurrence.Client {
	return occurrence.Client{Birthday: c.Birthday.Time(), Since: c.Since.Time()}
}

// ClientDates converts a clients record and the contact a personal
// occasion is about (its birthday; nil = none) for the occurrence package,
// as ClientDateColumns.Dates does a row.
func ClientDates(client, contact *core.Record) occurrence.Client {
	c := ClientDateColumns{Since: client.GetDateTime("since")}
	if contact != nil {
		c.Birthday = contact.GetDateTime("birthday")
	}
	return c.Dates()
}

// PrimaryContactSQL joins a client c to its primary contact pc (at most
// one: idx_contacts_primary), for hand-written queries.
const PrimaryContactSQL = ` LEFT JOIN contacts pc ON pc.client = c.id AND pc."primary" = TRUE`

// PrimaryContact returns the client's primary contact, nil when it has
// none.
func PrimaryContact(app core.App, clientId string) (*core.Record, error) {
	records, err := app.FindRecordsByFilter("contacts", "client = {:client} && primary = true", "", 1, 0,
		dbx.Params{"client": clientId})
	if err != nil || len(records) == 0 {
		return nil, err
	}
	return records[0], nil
}
