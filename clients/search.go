package clients

import (
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"touchbase/domain"
)

// searchText is what the clients' search column holds: the client's name
// and the names of its non-archived contacts (primary first), lower-cased
// for search in any script.
func searchText(app core.App, clientId, name string) (string, error) {
	parts := []string{name}
	if clientId != "" {
		var names []string
		err := app.DB().Select("name").From("contacts").
			Where(dbx.HashExp{"client": clientId, "archived": false}).
			OrderBy("[[primary]] DESC", "name ASC").Column(&names)
		if err != nil {
			return "", err
		}
		parts = append(parts, names...)
	}
	return domain.Truncate(domain.NormalizeSearch(strings.Join(parts, " ")), 1000), nil
}

// RefreshSearch recomputes a client's search column after one of its
// contacts changed. The column is hidden and server-kept, so it is written
// directly, without a client save (and its hooks and realtime event).
func RefreshSearch(app core.App, clientId string) error {
	var name string
	err := app.DB().Select("name").From("clients").Where(dbx.HashExp{"id": clientId}).Limit(1).Row(&name)
	if err != nil {
		return nil // the client is being deleted with its contacts
	}
	text, err := searchText(app, clientId, name)
	if err != nil {
		return err
	}
	_, err = app.DB().Update("clients", dbx.Params{"search": text}, dbx.HashExp{"id": clientId}).Execute()
	return err
}
