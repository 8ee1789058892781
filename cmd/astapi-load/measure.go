package main

import (
	"bytes"
	"net/http"
	"slices"
	"sync"
	"time"
)

// endpoint is one measured request.
type endpoint struct {
	name   string // path
	method string
	query  string
	cred   credentials
	body   []byte // astapi's answer, which the baseline writes
}

// result is one endpoint measured on one server.
type result struct {
	requests   int64
	elapsed    time.Duration
	latencies  []time.Duration
	non2xx     int64
	errs       int64 // transport errors
	mismatches int64 // 2xx answers whose body is not the expected one
}

func (r *result) add(o *result) {
	r.requests += o.requests
	r.elapsed += o.elapsed
	r.latencies = append(r.latencies, o.latencies...)
	r.non2xx += o.non2xx
	r.errs += o.errs
	r.mismatches += o.mismatches
}

func (r *result) rps() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.requests) / r.elapsed.Seconds()
}

func (r *result) percentile(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	slices.Sort(r.latencies)
	return r.latencies[min(len(r.latencies)-1, int(p*float64(len(r.latencies))))]
}

// row is a line of the final table.
type row struct {
	phase             string
	ep                *endpoint
	astapi, baseline  result
	reloads, failures int64 // reload phase: reloads done and failed meanwhile
}

func (r *row) ratio() float64 {
	if r.baseline.rps() == 0 {
		return 0
	}
	return r.astapi.rps() / r.baseline.rps()
}

// measurePair measures ep on both servers in alternating slices.
func measurePair(client *http.Client, astapiURL, baseURL string, ep *endpoint, o options) (a, b result) {
	if o.warmup > 0 {
		measure(client, astapiURL, ep, o.concurrency, o.warmup)
		measure(client, baseURL, ep, o.concurrency, o.warmup)
	}
	slice := o.duration / time.Duration(o.rounds)
	for range o.rounds {
		ra := measure(client, astapiURL, ep, o.concurrency, slice)
		rb := measure(client, baseURL, ep, o.concurrency, slice)
		a.add(&ra)
		b.add(&rb)
	}
	return a, b
}

// measure sends ep's request from concurrency goroutines for d.
func measure(client *http.Client, base string, ep *endpoint, concurrency int, d time.Duration) result {
	parts := make([]result, concurrency)
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for i := range parts {
		wg.Go(func() {
			r := &parts[i]
			r.latencies = make([]time.Duration, 0, 4096)
			var buf bytes.Buffer
			for {
				t := time.Now()
				if !t.Before(deadline) {
					return
				}
				resp, err := client.Do(newRequest(base, ep))
				if err != nil {
					r.errs++
					continue
				}
				buf.Reset()
				_, err = buf.ReadFrom(resp.Body)
				resp.Body.Close()
				r.latencies = append(r.latencies, time.Since(t))
				r.requests++
				switch {
				case err != nil:
					r.errs++
				case resp.StatusCode < 200 || resp.StatusCode > 299:
					r.non2xx++
				case !bytes.Equal(buf.Bytes(), ep.body):
					r.mismatches++
				}
			}
		})
	}
	wg.Wait()
	var total result
	for i := range parts {
		total.add(&parts[i])
	}
	total.elapsed = time.Since(start)
	return total
}
