package dataset

import (
	"database/sql"
	"fmt"
	"strings"
)

// writer inserts rows with prepared single-row INSERT statements inside
// large transactions. (Multi-row INSERTs are slower with modernc's SQLite:
// they need a statement journal, whose allocations cost more than the
// per-statement overhead they save.)
type writer struct {
	db      *sql.DB
	tx      *sql.Tx
	txRows  int // rows per transaction
	inTx    int // rows written in the current transaction
	stmts   map[string]*sql.Stmt
	written map[string]int
}

func newWriter(db *sql.DB, txRows int) *writer {
	return &writer{db: db, txRows: txRows, stmts: map[string]*sql.Stmt{}, written: map[string]int{}}
}

// insert writes one row to table; step names what the row is counted as.
func (w *writer) insert(step, table string, cols []string, values ...any) error {
	if len(values) != len(cols) {
		return fmt.Errorf("%s: %d values for %d columns", table, len(values), len(cols))
	}
	if w.tx == nil {
		tx, err := w.db.Begin()
		if err != nil {
			return err
		}
		w.tx = tx
	}
	stmt := w.stmts[table]
	if stmt == nil {
		var err error
		if stmt, err = w.tx.Prepare(insertSQL(table, cols)); err != nil {
			return err
		}
		w.stmts[table] = stmt
	}
	if _, err := stmt.Exec(values...); err != nil {
		return fmt.Errorf("insert into %s: %w", table, err)
	}
	w.written[step]++
	w.inTx++
	if w.inTx >= w.txRows {
		return w.commit()
	}
	return nil
}

// commit commits the current transaction (if any).
func (w *writer) commit() error {
	for table, stmt := range w.stmts {
		stmt.Close()
		delete(w.stmts, table)
	}
	w.inTx = 0
	if w.tx == nil {
		return nil
	}
	err := w.tx.Commit()
	w.tx = nil
	return err
}

func (w *writer) rollback() {
	if w.tx != nil {
		w.tx.Rollback()
		w.tx = nil
	}
}

func insertSQL(table string, cols []string) string {
	return "INSERT INTO `" + table + "` (`" + strings.Join(cols, "`,`") + "`) VALUES (" +
		strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",") + ")"
}

// dropIndexes drops the secondary indexes of tables and returns the
// statements that create them again: loading rows first and indexing them
// after is faster than keeping the indexes up to date row by row.
func dropIndexes(db *sql.DB, tables ...string) ([]string, error) {
	return dropSchema(db, "index", tables)
}

// dropTriggers drops the triggers on tables and returns the statements
// that create them again.
func dropTriggers(db *sql.DB, tables ...string) ([]string, error) {
	return dropSchema(db, "trigger", tables)
}

// dropSchema drops the schema objects of a kind (index, trigger) on
// tables that have SQL of their own (not the automatic indexes of
// primary keys and unique columns) and returns their CREATE statements.
func dropSchema(db *sql.DB, kind string, tables []string) ([]string, error) {
	var names, creates []string
	for _, table := range tables {
		rows, err := db.Query("SELECT name, sql FROM sqlite_master WHERE type = ? AND tbl_name = ? AND sql IS NOT NULL ORDER BY name", kind, table)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var name, create string
			if err := rows.Scan(&name, &create); err != nil {
				rows.Close()
				return nil, err
			}
			names = append(names, name)
			creates = append(creates, create)
		}
		rows.Close()
	}
	for _, name := range names {
		if _, err := db.Exec("DROP " + strings.ToUpper(kind) + " `" + name + "`"); err != nil {
			return nil, err
		}
	}
	return creates, nil
}
