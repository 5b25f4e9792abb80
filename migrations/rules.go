package migrations

// API rules shared by the collections. Every rule names the "users" auth
// collection explicitly, so a token of any other auth collection matches no
// staff role; superusers bypass rules altogether (they are the admins).
const (
	// ruleServiceManager matches a signed-in service manager.
	ruleServiceManager = `(@request.auth.collectionName = "users" && @request.auth.role = "service_manager")`

	// rulePointManager matches a signed-in point manager that has a point.
	rulePointManager = `(@request.auth.collectionName = "users" && @request.auth.role = "point_manager" && @request.auth.point != "")`

	// ruleStaff matches any signed-in staff user.
	ruleStaff = `(@request.auth.collectionName = "users" && @request.auth.role != "")`

	// ruleOwnClient is for records with a "client" relation: service
	// managers see every client, point managers only their point's.
	ruleOwnClient = `(` + ruleServiceManager + ` || (` + rulePointManager + ` && client.point = @request.auth.point))`

	// ruleStaffWithScope lets service managers and point managers with a
	// point create records; which client or point they may name is checked
	// by the hooks (hooks/scope.go), so that a foreign or unknown id gets a
	// 400 naming the field instead of a rule failure that names nothing.
	ruleStaffWithScope = `(` + ruleServiceManager + ` || ` + rulePointManager + `)`
)
