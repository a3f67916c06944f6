/**
 * The command-line tool, {@code java -jar failure-detector.jar node|tune|demo}
 * ({@link dev.failuredetector.cli.FailureDetectorCli}): an application built on the library, kept
 * out of the library's jars so that they carry no {@code main}.
 */
package dev.failuredetector.cli;
