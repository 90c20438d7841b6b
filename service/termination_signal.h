// SIGTERM/SIGINT handling for the servers: block the signals in every thread
// (call blockTerminationSignals() first thing, before any thread starts), then
// wait for one in the main thread and shut down cleanly.
#pragma once

namespace nser::service {

void blockTerminationSignals();
// Blocks until SIGTERM or SIGINT arrives; returns the signal number.
int waitForTerminationSignal();

}  // namespace nser::service
