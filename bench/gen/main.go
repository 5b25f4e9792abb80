// Command gen writes Touchbase's benchmark data set into a new data dir:
//
//	cd bench && go run ./gen -dir /tmp/tb-bench/data -seed 1
//
// The default size is the one the benchmarks need (20 points, 100,000
// clients, 300 occasions, 1,000,000 touches with their comments, 2,000
// tickets); flags make it smaller or larger. The same seed and -today give
// the same rows. It prints how long each step took.
//
// It is part of the bench module (bench/go.mod), not of the touchbase
// module: run it from bench/.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"runtime/pprof"
	"time"

	"touchbase/bench/dataset"
)

func main() {
	cfg := dataset.Full(1)
	dir := flag.String("dir", "", "the data dir to create (must not hold a data set yet)")
	today := flag.String("today", "", "the day the data is laid out around, YYYY-MM-DD (default: today, UTC)")
	flag.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "random seed")
	flag.IntVar(&cfg.Points, "points", cfg.Points, "points (branches)")
	flag.IntVar(&cfg.Clients, "clients", cfg.Clients, "clients")
	flag.IntVar(&cfg.Occasions, "occasions", cfg.Occasions, "occasions")
	flag.IntVar(&cfg.Touches, "touches", cfg.Touches, "touches (each with its comment)")
	flag.IntVar(&cfg.Tickets, "tickets", cfg.Tickets, "tickets")
	flag.IntVar(&cfg.Holds, "holds", cfg.Holds, "holds besides the tickets'")
	flag.IntVar(&cfg.ManualComments, "comments", cfg.ManualComments, "manual comments")
	flag.IntVar(&cfg.ManagersPerPoint, "managers", cfg.ManagersPerPoint, "point managers per point")
	flag.IntVar(&cfg.ServiceManagers, "service", cfg.ServiceManagers, "service managers")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the run to this file")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			log.Fatal(err)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if *dir == "" {
		flag.Usage()
		os.Exit(2)
	}
	if *today != "" {
		t, err := time.Parse(time.DateOnly, *today)
		if err != nil {
			log.Fatalf("-today: %v", err)
		}
		cfg.Today = t
	}

	stats, err := dataset.Create(*dir, cfg, os.Stdout)
	if err != nil {
		pprof.StopCPUProfile()
		log.Fatal(err)
	}
	fmt.Printf("generated in %s:", stats.Took.Round(time.Millisecond))
	for _, t := range []string{"points", "users", "clients", "contacts", "occasions", "touches", "comments", "tickets", "holds"} {
		fmt.Printf(" %d %s,", stats.Counts[t], t)
	}
	fmt.Printf("\nstaff password: %s (e.g. %s, %s)\n", dataset.Password, dataset.ManagerEmail(0, 0), dataset.ServiceManagerEmail(0))
}
