// Command engine runs FerretDB v1 with its SQLite backend as a child process of the API.
//
// It listens on the loopback address given by -listen (port 0 picks a free one), prints the
// MongoDB URI on the first line of stdout once it accepts connections, and stops when it gets
// SIGINT/SIGTERM or when its stdin closes (the parent process went away).
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	_ "modernc.org/sqlite"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "TCP address to listen on")
	dataDir := flag.String("data", "data/engine", "directory for the SQLite files")
	logLevel := flag.String("log-level", "error", "debug, info, warn or error")
	flag.Parse()

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintln(os.Stderr, "engine: bad -log-level:", err)
		os.Exit(2)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	abs, err := filepath.Abs(*dataDir)
	if err == nil {
		err = os.MkdirAll(abs, 0o700)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "engine: data directory:", err)
		os.Exit(1)
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/",
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "engine:", err)
		os.Exit(1)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		cancel()
	}()

	done := make(chan struct{})
	go func() {
		_ = f.Run(ctx)
		close(done)
	}()

	// MongoDBURI blocks until the listener is bound.
	uri := f.MongoDBURI()
	ix := &idIndexer{dir: abs, logger: logger, dbs: map[string]*sql.DB{}}
	ix.scan(ctx)
	fmt.Println(uri)
	go ix.run(ctx, time.Second)

	<-done
	ix.close()
}

// idIndexer gives every collection table an index on its `_id` value, `_ferretdb_sjson->>'_id'`.
//
// The pushdown patch (patches/ferretdb-pushdown.patch) answers `_id` equality from FerretDB's own
// unique index (JSON text, `->"_id"`), but `_id` ranges and the `_id` sort of a keyset page compare
// values (`->>'_id'`), which only an index on that very expression serves. New collections are
// picked up within a poll interval. FerretDB lists indexes from its own metadata, so clients never
// see this one. It replaces `<table>_id_lookup` on `->'$._id'`, which unpatched FerretDB filtered by
// and which is dropped where an older data folder still has it.
type idIndexer struct {
	dir    string
	logger *slog.Logger
	dbs    map[string]*sql.DB
}

func (ix *idIndexer) run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			ix.scan(ctx)
		}
	}
}

func (ix *idIndexer) scan(ctx context.Context) {
	files, _ := filepath.Glob(filepath.Join(ix.dir, "*.sqlite"))
	for _, file := range files {
		if err := ix.indexFile(ctx, file); err != nil && ctx.Err() == nil {
			ix.logger.Warn("id index", "file", file, "error", err)
		}
	}
}

func (ix *idIndexer) indexFile(ctx context.Context, file string) error {
	db := ix.dbs[file]
	if db == nil {
		var err error
		db, err = sql.Open("sqlite", "file:"+file+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(wal)")
		if err != nil {
			return err
		}
		db.SetMaxOpenConns(1)
		ix.dbs[file] = db
	}
	rows, err := db.QueryContext(ctx, `SELECT c.table_name FROM _ferretdb_collections c WHERE NOT EXISTS
		(SELECT 1 FROM sqlite_master m WHERE m.type = 'index' AND m.name = c.table_name || '_id_value')`)
	if err != nil {
		return err // a database file FerretDB is still creating
	}
	var tables []string
	for rows.Next() {
		var table string
		if err = rows.Scan(&table); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, table)
	}
	rows.Close()
	for _, table := range tables {
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (_ferretdb_sjson->>'_id')`, table+"_id_value", table)
		if _, err = db.ExecContext(ctx, q); err != nil {
			return err
		}
		if _, err = db.ExecContext(ctx, fmt.Sprintf(`DROP INDEX IF EXISTS %q`, table+"_id_lookup")); err != nil {
			return err
		}
	}
	return nil
}

func (ix *idIndexer) close() {
	for _, db := range ix.dbs {
		_ = db.Close()
	}
}
