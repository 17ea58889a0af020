"""The course's tooling: the main job's steps, the example class, the fault table, benchmarks, the class and integrity reports. It drives the engine (grader/autograde/)."""
