// Package clients owns the client and their card: the record's own rules
// (search column, tags, account manager), what a point manager may do to a
// client of their point, and the card's comments, which only the server
// writes for touches and system events (SaveServerComment).
package clients

import (
	"fmt"
	"strings"

	"github.com/pocketbase/pocketbase/core"

	"touchbase/access"
	"touchbase/domain"
)

// Limits of the free "tags" labels of a client.
const (
	maxTags      = 20
	maxTagLength = 40
)

// Bind adds the client rules to app: the record, its point scope and its
// card.
func Bind(app core.App) {
	bindClients(app)
	bindClientScope(app)
	bindComments(app)
}

// bindClients keeps the search column in step and validates what the schema
// alone cannot: the tags list and the account manager's point.
func bindClients(app core.App) {
	app.OnRecordValidate("clients").BindFunc(onClientValidate)
}

func onClientValidate(e *core.RecordEvent) error {
	search, err := searchText(e.App, e.Record.Id, e.Record.GetString("name"))
	if err != nil {
		return err
	}
	e.Record.Set("search", search)
	if err := e.Next(); err != nil {
		return err
	}
	if err := validateTags(e.Record); err != nil {
		return err
	}
	return validateManager(e.App, e.Record)
}

// validateTags requires a JSON list of short, non-empty strings. Text
// typed as a person would in the dashboard's editor ("vip, retail", which
// arrives as a JSON string) is read as that list.
func validateTags(client *core.Record) error {
	raw := client.Get("tags")
	if raw == nil || fmt.Sprint(raw) == "null" || fmt.Sprint(raw) == "" {
		return nil
	}
	var typed string
	if err := client.UnmarshalJSONField("tags", &typed); err == nil {
		list := []string{}
		for _, tag := range strings.FieldsFunc(typed, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
			if tag = strings.TrimSpace(tag); tag != "" {
				list = append(list, tag)
			}
		}
		client.Set("tags", list)
	}
	var tags []any
	if err := client.UnmarshalJSONField("tags", &tags); err != nil {
		return domain.FieldErrorT("tags", "validation_invalid_tags", "client.tags_list")
	}
	if len(tags) > maxTags {
		return domain.FieldErrorT("tags", "validation_invalid_tags", "client.tags_max", maxTags)
	}
	for _, tag := range tags {
		s, ok := tag.(string)
		if !ok || strings.TrimSpace(s) == "" || len([]rune(s)) > maxTagLength {
			return domain.FieldErrorT("tags", "validation_invalid_tags", "client.tag_invalid", maxTagLength)
		}
	}
	return nil
}

// validateManager requires the account manager to work at the client's
// point or be a service manager, so a client never names a stranger.
func validateManager(app core.App, client *core.Record) error {
	id := client.GetString("manager")
	if id == "" {
		return nil
	}
	manager, err := app.FindRecordById("users", id)
	if err != nil {
		return domain.FieldErrorT("manager", "validation_missing_rel_records", "client.manager_missing")
	}
	if manager.GetString("role") != access.RoleServiceManager && manager.GetString("point") != client.GetString("point") {
		return domain.FieldErrorT("manager", "validation_manager_point", "client.manager_point")
	}
	return nil
}
