package api

import (
	"net/http"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// clientsList serves GET /api/touchbase/clients: every client of the
// caller's scope, sorted by name, paged, for the page's Clients view.
//
// Query: the client filters of the worklist (point, segment, stage, tag,
// manager, q — the search reads the client's name and its people's names,
// any script; see clientFilter), page, perPage. Every stage is listed
// unless stage= narrows it: the list is for finding a client, lost ones
// included.
func clientsList(e *core.RequestEvent) error {
	filter, err := parseClientFilter(e)
	if err != nil {
		return err
	}
	db := e.App.DB()
	params := dbx.Params{}
	where := sqlOf(db, filter.ExprAll("c"), params)

	var total int
	if err := db.NewQuery("SELECT COUNT(*) FROM clients c WHERE " + where).Bind(params).Row(&total); err != nil {
		return err
	}

	params["limit"] = filter.PerPage
	params["offset"] = filter.Offset()
	var rows []struct {
		Id          string `db:"id"`
		Name        string `db:"name"`
		Point       string `db:"point"`
		PointName   string `db:"point_name"`
		Segment     string `db:"segment"`
		Stage       string `db:"stage"`
		Tags        string `db:"tags"`
		Manager     string `db:"manager"`
		ManagerName string `db:"manager_name"`
	}
	err = db.NewQuery(`SELECT c.id AS id, c.name AS name, c.point AS point, COALESCE(p.name, '') AS point_name,
			c.segment AS segment, c.stage AS stage, COALESCE(c.tags, '') AS tags,
			c.manager AS manager, COALESCE(m.name, '') AS manager_name
		FROM clients c
		LEFT JOIN points p ON p.id = c.point
		LEFT JOIN users m ON m.id = c.manager
		WHERE ` + where + `
		ORDER BY c.search, c.id
		LIMIT {:limit} OFFSET {:offset}`).Bind(params).All(&rows)
	if err != nil {
		return err
	}

	items := make([]clientsListItem, len(rows))
	for i, r := range rows {
		items[i] = clientsListItem{
			Id: r.Id, Name: r.Name, Point: r.Point, PointName: r.PointName, Segment: r.Segment, Stage: r.Stage,
			Tags: parseTags(r.Tags), Manager: r.Manager, ManagerName: r.ManagerName,
		}
	}
	return e.JSON(http.StatusOK, clientsListResponse{Page: filter.Page, PerPage: filter.PerPage, TotalItems: total, Items: items})
}

type clientsListResponse struct {
	Page       int               `json:"page"`
	PerPage    int               `json:"perPage"`
	TotalItems int               `json:"totalItems"`
	Items      []clientsListItem `json:"items"`
}

// clientsListItem is one client of the list: what the row shows, the
// card has the rest.
type clientsListItem struct {
	Id          string   `json:"id"`
	Name        string   `json:"name"`
	Point       string   `json:"point"`
	PointName   string   `json:"pointName"`
	Segment     string   `json:"segment"`
	Stage       string   `json:"stage"`
	Tags        []string `json:"tags"`
	Manager     string   `json:"manager"`
	ManagerName string   `json:"managerName"`
}
