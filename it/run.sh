#!/usr/bin/env bash
#
# it/run.sh — consumer tests: openport as a user's build gets it.
#
#   1. installs the published modules (mvn install -DskipTests) into a FRESH local repository under a temporary
#      directory — never into ~/.m2 — and checks that it holds jar, -sources.jar and -javadoc.jar for each;
#   2. builds three consumer projects (pom-template.xml + consumer/example/Main.java) that import openport-bom
#      and depend on dev.openport:openport only, and checks the run-time class path is openport's jars and
#      slf4j-api, nothing else (no Guava, no dnsjava);
#   3. runs each: on the class path, on the module path (module example { requires dev.openport.core; }, no
#      --add-modules) and as a shaded jar (ServicesResourceTransformer). Each maps 25565/tcp through a NAT-PMP
#      gateway on 127.0.0.1, closes, and checks that no openport-* thread is left; it prints what it proved;
#   4. a fourth consumer depends on openport-core alone: map() must fail with NoProtocolModule naming
#      dev.openport:openport, and leave no thread.
#
# Third-party artifacts (plugins, slf4j) come from ~/.m2 used as a read-only file repository, then Maven Central
# for anything missing; openport's SNAPSHOTs come only from the fresh repository.
# Usage: bash it/run.sh  (from anywhere; needs mvn and a JDK 17+). Environment: OPENPORT_MVN_LOCK (default
# /tmp/openport-mvn.lock; empty: no lock), IT_KEEP=1 keeps the work directory.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
IT=$ROOT/it
MVN_LOCK=${OPENPORT_MVN_LOCK-/tmp/openport-mvn.lock}
WORK=$(mktemp -d /tmp/openport-it.XXXXXX)
REPO=$WORK/repo
START=$SECONDS
[[ ${IT_KEEP:-} == 1 ]] || trap 'rm -rf "$WORK"' EXIT

fail() { echo "it: FAILED: $*" >&2; exit 1; }

mvn_locked() {
    if [[ -n $MVN_LOCK ]]; then flock -w 3600 "$MVN_LOCK" mvn "$@"; else mvn "$@"; fi
}

VERSION=$(sed -n '0,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' "$ROOT/openport-bom/pom.xml")
M2=${MAVEN_LOCAL_CACHE:-$HOME/.m2/repository}

# ~/.m2 as a read-only remote (releases only), then Central: openport SNAPSHOTs can only come from $REPO
cat > "$WORK/settings.xml" <<XML
<settings>
  <profiles>
    <profile>
      <id>it</id>
      <repositories>
        <repository>
          <id>local-cache</id>
          <url>file://$M2</url>
          <releases><enabled>true</enabled></releases>
          <snapshots><enabled>false</enabled></snapshots>
        </repository>
      </repositories>
      <pluginRepositories>
        <pluginRepository>
          <id>local-cache</id>
          <url>file://$M2</url>
          <releases><enabled>true</enabled></releases>
          <snapshots><enabled>false</enabled></snapshots>
        </pluginRepository>
      </pluginRepositories>
    </profile>
  </profiles>
  <activeProfiles>
    <activeProfile>it</activeProfile>
  </activeProfiles>
</settings>
XML
MVN=(-B -ntp -q -Dstyle.color=never -s "$WORK/settings.xml" -Dmaven.repo.local="$REPO")

echo "it: installing openport $VERSION into a fresh local repository ($REPO)"
(cd "$ROOT" && mvn_locked "${MVN[@]}" -DskipTests install -pl openport-all,openport-bom,diagnostics -am) \
    || fail "mvn install into the fresh repository"

for a in openport-core openport-natpmp openport-pcp openport-upnp openport-diagnostics openport; do
    for c in "" -sources -javadoc; do
        f=$REPO/dev/openport/$a/$VERSION/$a-$VERSION$c.jar
        [[ -s $f ]] || fail "missing $f"
    done
done
for a in openport-parent openport-bom; do
    [[ -s $REPO/dev/openport/$a/$VERSION/$a-$VERSION.pom ]] || fail "missing $a pom"
done
echo "it:   - jar, -sources.jar and -javadoc.jar installed for openport-core, -natpmp, -pcp, -upnp, -diagnostics, openport"

# the three consumer projects, built by one Maven run (one lock); each gets its run-time class path in runtime.cp
CONSUMERS=(classpath modulepath shaded coreonly)
for name in "${CONSUMERS[@]}"; do
    dir=$WORK/consumers/$name
    mkdir -p "$dir/src/main/java/example"
    cp "$IT/consumer/example/Main.java" "$dir/src/main/java/example/"
    [[ -f $IT/$name/module-info.java ]] && cp "$IT/$name/module-info.java" "$dir/src/main/java/"
    artifact=openport
    [[ $name == coreonly ]] && artifact=openport-core
    sed -e "s/@NAME@/$name/" -e "s/@VERSION@/$VERSION/" -e "s/@ARTIFACT@/$artifact/" "$IT/pom-template.xml" \
        | awk -v f="$IT/$name/plugins.xml" '/@EXTRA_PLUGINS@/ { while ((getline l < f) > 0) print l; next } { print }' \
        > "$dir/pom.xml"
done
cat > "$WORK/consumers/pom.xml" <<XML
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>example</groupId>
  <artifactId>consumers</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <modules>
$(printf '    <module>%s</module>\n' "${CONSUMERS[@]}")
  </modules>
</project>
XML
(cd "$WORK/consumers" && mvn_locked "${MVN[@]}" package \
    org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
    -Dmdep.includeScope=runtime -Dmdep.outputFile=runtime.cp) || fail "building the consumers"

want="openport-$VERSION.jar openport-core-$VERSION.jar openport-natpmp-$VERSION.jar openport-pcp-$VERSION.jar"
want+=" openport-upnp-$VERSION.jar slf4j-api-2.0.20.jar "
run_consumer() { # name, description, command (run in the consumer's directory)
    local name=$1 what=$2 dir=$WORK/consumers/$1 jars expected=$want
    [[ $name == coreonly ]] && expected="openport-core-$VERSION.jar slf4j-api-2.0.20.jar "
    # the run-time class path of a project that depends on dev.openport:openport (coreonly: openport-core)
    jars=$(tr ':' '\n' < "$dir/runtime.cp" | sed 's:.*/::' | sort | tr '\n' ' ')
    [[ $jars == "$expected" ]] || fail "$name: run-time class path is '$jars', expected '$expected'"
    echo "it: $what"
    (cd "$dir" && sh -c "$3") | sed 's/^/    /' || fail "$name: run" # pipefail: the consumer's status counts
}

echo "it:   - run-time class path of each consumer: ${want% }"
JAVA_RUN="java -Dslf4j.internal.verbosity=ERROR -Dopenport.loopbackOnly=true"
run_consumer classpath "class-path consumer (dependency: dev.openport:openport)" \
    "$JAVA_RUN -cp \"target/classes:\$(cat runtime.cp)\" example.Main 'class path'"
run_consumer modulepath "module-path consumer (requires dev.openport.core; java -p ... -m example, no --add-modules)" \
    "$JAVA_RUN -p \"target/classes:\$(cat runtime.cp)\" -m example/example.Main 'module path'"
run_consumer shaded "shaded consumer (one fat jar, ServicesResourceTransformer)" \
    "mkdir -p x && (cd x && jar xf ../target/app.jar META-INF/services/dev.openport.core.spi.PortMapperProvider); \
     n=\$(grep -c . x/META-INF/services/dev.openport.core.spi.PortMapperProvider); \
     [ \"\$n\" = 3 ] || { echo \"services file lists \$n providers, not 3\"; exit 1; }; \
     $JAVA_RUN -jar target/app.jar 'shaded jar'"

run_consumer coreonly "openport-core alone (no protocol module): the error names the artifact to add" \
    "$JAVA_RUN -cp \"target/classes:\$(cat runtime.cp)\" example.Main 'core only'"

echo "it: took $((SECONDS - START)) s"
echo "it: 4 passed, 0 failed"
