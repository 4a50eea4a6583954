"""A stand-in for Ant Media Server (AMS) with the Media Push plugin, for tests, the demo and benchmarks.

It answers the REST calls described in docs/server-contract.md the way the real server does (status
codes, Result bodies, exact messages, filters, persistence, restart semantics) and makes real, playable
recordings, without Java, Chrome or any media pipeline. Standard library only: it also runs as the
`antmedia` service on bare Debian test hosts. See lab/README.md for the command line and the `/_lab/`
control interface.
"""
