"""Print the version of a jar on the media host: the collection's one jar-version reader (run by the roles through
ansible.builtin.script; stdlib only).

    jar_version.py JAR [ARTIFACT]

With ARTIFACT (a Maven artifactId such as media-push), the version= of that artifact's own
META-INF/maven/*/ARTIFACT/pom.properties wins; else (or without one) the Implementation-Version of the jar's manifest
(ant-media-server.jar declares the server's version there). A shaded jar's other pom.properties are never read.
Prints the version on one line, or nothing when the jar is missing, unreadable or declares none (the reason on
stderr), and exits 0: the callers treat "no version" as "not installed"."""
import re
import sys
import zipfile

MANIFEST = "META-INF/MANIFEST.MF"
# A version as Maven and manifests write them: no spaces, no control characters.
VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._+-]*$")


def _manifest_version(text):
    """Implementation-Version of the main section (a manifest's first block, up to the first empty line)."""
    main_section = re.split(r"\r?\n\r?\n", text, maxsplit=1)[0]
    unfolded = re.sub(r"\r?\n ", "", main_section)  # a long value continues on lines starting with one space
    found = re.search(r"^Implementation-Version:[ \t]*(\S*)[ \t]*\r?$", unfolded, re.MULTILINE)
    return found.group(1) if found else None


def _pom_version(text):
    found = re.search(r"^version[ \t]*[=:][ \t]*(\S*)[ \t]*\r?$", text, re.MULTILINE)
    return found.group(1) if found else None


def read_jar_version(path, artifact=None):
    """(version, "") or (None, why not)."""
    try:
        with zipfile.ZipFile(path) as jar:
            names = jar.namelist()
            readers = []
            if artifact:
                suffix = "/%s/pom.properties" % artifact
                readers += [(name, _pom_version) for name in names
                            if name.startswith("META-INF/maven/") and name.endswith(suffix)
                            and name.count("/") == 4]
            if MANIFEST in names:
                readers.append((MANIFEST, _manifest_version))
            for name, reader in readers:
                version = reader(jar.read(name).decode("utf-8", "replace"))
                if version and VERSION.match(version):
                    return version, ""
    except FileNotFoundError:
        return None, "no file %s" % path
    except (OSError, zipfile.BadZipFile, KeyError, RuntimeError) as error:
        return None, "%s cannot be read as a jar: %s" % (path, error)
    missing = (" (no %s pom.properties, no Implementation-Version)" % artifact if artifact
               else " (no Implementation-Version in its manifest)")
    return None, "%s declares no version%s" % (path, missing)


def main(argv):
    if len(argv) not in (2, 3):
        sys.stderr.write("usage: jar_version.py JAR [ARTIFACT]\n")
        return 2
    version, reason = read_jar_version(argv[1], argv[2] if len(argv) == 3 else None)
    if version:
        print(version)
    else:
        sys.stderr.write(reason + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
