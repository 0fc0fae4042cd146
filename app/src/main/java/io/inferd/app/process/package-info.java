/**
 * Servers in child processes: {@code inferd soak} and the benchmarks start them, wait until they
 * are ready and stop them, so that what they measure is a real server and not their own client.
 */
package io.inferd.app.process;
