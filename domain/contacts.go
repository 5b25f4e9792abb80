package domain

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// Which contact a message addresses (SPEC §5, occasions.roles): among the
// client's non-archived contacts, the primary one when its role is one of
// the occasion's roles (any role when it lists none), else the first
// matching one by name; none when no contact matches.

// AddressedContact returns the contact of client that a message of an
// occasion with roles addresses, nil for none.
func AddressedContact(app core.App, clientId string, roles []string) (*core.Record, error) {
	records, err := app.FindAllRecords("contacts", dbx.HashExp{"client": clientId, "archived": false})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(records, func(a, b *core.Record) int {
		if a.GetBool("primary") != b.GetBool("primary") {
			if a.GetBool("primary") {
				return -1
			}
			return 1
		}
		return strings.Compare(a.GetString("name"), b.GetString("name"))
	})
	for _, r := range records {
		if len(roles) == 0 || slices.Contains(roles, r.GetString("role")) {
			return r, nil
		}
	}
	return nil, nil
}

// AddressedContactSQL joins a client c to the contact its messages for an
// occasion with roles address, as alias pc (no row: none), for
// hand-written queries; the roles are bound into params.
func AddressedContactSQL(roles []string, params dbx.Params) string {
	match := ""
	if len(roles) > 0 {
		names := make([]string, len(roles))
		for i, role := range roles {
			name := fmt.Sprintf("ac_role%d", i)
			params[name] = role
			names[i] = "{:" + name + "}"
		}
		match = " AND k.role IN (" + strings.Join(names, ", ") + ")"
	}
	return ` LEFT JOIN contacts pc ON pc.id = (SELECT k.id FROM contacts k WHERE k.client = c.id AND k.archived = FALSE` + match +
		` ORDER BY k."primary" DESC, k.name LIMIT 1)`
}

// TouchPeriod is the stored period of a mark: the occurrence's period,
// and for a birthday occasion, whose occurrences are per contact (SPEC §3
// touches.period), the occurrence's year and the contact's id,
// "2027/<contact id>". So "at most one done or skipped touch per (client,
// occasion, period)" allows one greeting per person and year, and two
// people of one client are two marks.
func TouchPeriod(trigger, occurrencePeriod, contactId string) string {
	if trigger == "birthday" && occurrencePeriod != "" && contactId != "" {
		return occurrencePeriod + "/" + contactId
	}
	return occurrencePeriod
}
