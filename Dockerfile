# The Hourglass application image: one jar, every component (see docker-compose.yml).
# Build stage: the same Maven wrapper and pinned versions as a developer's machine.
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY .mvn .mvn
COPY mvnw pom.xml ./
COPY config config
COPY avro avro
COPY schema-sql schema-sql
COPY embedded embedded
COPY producer producer
COPY admin admin
COPY streams-processor streams-processor
COPY sink sink
COPY alerts-forwarder alerts-forwarder
COPY loadgen loadgen
COPY bench bench
COPY cli cli
RUN ./mvnw -B -ntp -q -DskipTests package

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 hourglass
COPY --from=build /src/cli/target/hourglass.jar /app/hourglass.jar
USER hourglass
WORKDIR /home/hourglass
# The collector measured for the launcher (BENCHMARKS.md, "Memory bounded by configuration"); half
# the container's memory for the heap leaves room for what is off it: the processor's RocksDB
# (streams.rocksdb.memory.bytes, 128 MiB by default), metaspace, thread stacks, direct buffers.
# Two malloc arenas for RocksDB's native allocations, as the launcher sets (BENCHMARKS.md, "Memory
# of the benchmark JVM"): glibc's default of eight per core keeps freed native memory resident.
ENV MALLOC_ARENA_MAX=2
ENTRYPOINT ["java", "-XX:+UseParallelGC", "-XX:MaxRAMPercentage=50", "-jar", "/app/hourglass.jar"]
CMD ["--help"]
