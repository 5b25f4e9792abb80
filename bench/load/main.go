// Command load runs Touchbase's benchmarks (bench/harness) against the real
// binary on loopback and prints every figure with its ratio and goal:
//
//	cd bench && go run ./load -bin /tmp/tb-bench/touchbase -data /tmp/tb-bench/data
//
// The data dir is copied to -work first and never changed. bench/run.sh
// builds the binary, generates the data set when missing and runs this.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"strings"
	"time"

	"touchbase/bench/harness"
)

func main() {
	bin := flag.String("bin", "", "the touchbase binary")
	data := flag.String("data", "/tmp/tb-bench/data", "the generated data dir (copied, not changed)")
	work := flag.String("work", "/tmp/tb-bench/work", "where the copy the server runs on goes")
	quick := flag.Bool("quick", false, "run every benchmark briefly (smoke scale)")
	jsonOut := flag.String("json", "", "also write the results as JSON to this file")
	mdOut := flag.String("md", "", "also write the figures as a Markdown table to this file")
	only := flag.String("only", "", "run only these benchmarks (comma-separated: cold, digest, worklist, marks, realtime, reads, events)")
	flag.Parse()
	if *bin == "" {
		flag.Usage()
		os.Exit(2)
	}

	scale := harness.FullScale()
	if *quick {
		scale = harness.QuickScale()
	}
	started := time.Now()
	cfg := harness.Config{Binary: *bin, BaseDir: *data, WorkDir: *work, Scale: scale, Log: os.Stderr}
	if *only != "" {
		cfg.Only = strings.Split(*only, ",")
	}
	res, err := harness.Run(cfg)
	if res != nil {
		fmt.Println()
		for _, k := range []string{"cpu", "cpus", "memory", "kernel", "go", "pocketbase", "sqlite driver", "date"} {
			fmt.Printf("%-14s %s\n", k+":", res.Machine[k])
		}
		fmt.Printf("%-14s %v\n\n", "data set:", res.DataSet)
		fmt.Print(res.Markdown())
		fmt.Printf("\nbenchmarks took %s\n", time.Since(started).Round(time.Second))
		if *mdOut != "" {
			if werr := os.WriteFile(*mdOut, []byte(res.Markdown()), 0o644); werr != nil {
				log.Print(werr)
			}
		}
		if *jsonOut != "" {
			raw, _ := json.MarshalIndent(res, "", "  ")
			if werr := os.WriteFile(*jsonOut, raw, 0o644); werr != nil {
				log.Print(werr)
			}
		}
	}
	if err != nil {
		log.Fatal(err)
	}
}
