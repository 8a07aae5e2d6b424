#!/usr/bin/env bash
# Rebuilds ../vendor, the GraphiQL that Sunlight embeds and serves at /, from
# the packages pinned in package-lock.json. Run it by hand after changing the
# versions in package.json (`npm install --package-lock-only` first), review
# the diff and commit ../vendor with package.json and package-lock.json. It
# needs npm and the npm registry; the server and the tests need neither.
#
# The files are the packages' own production builds, copied as they are
# except for their last line, a sourceMappingURL comment naming a map file
# that is not served.
set -euo pipefail
cd "$(dirname "$0")"

npm ci --no-audit --no-fund --ignore-scripts

out=../vendor
rm -rf "$out"
mkdir -p "$out"
copy() { # copy FROM TO: the file without its sourceMappingURL comment
	sed '/^\/\/# sourceMappingURL=/d; s#/\*\# sourceMappingURL=[^*]*\*/##' "$1" >"$out/$2"
}
copy node_modules/graphiql/graphiql.min.js graphiql.min.js
copy node_modules/graphiql/graphiql.min.css graphiql.min.css
copy node_modules/react/umd/react.production.min.js react.production.min.js
copy node_modules/react-dom/umd/react-dom.production.min.js react-dom.production.min.js

# The licenses of every package whose code is in those files: GraphiQL's
# bundle includes its whole dependency tree (graphql, CodeMirror, Radix...).
{
	echo "Licenses of the packages built into the files of this folder"
	echo "(written by ../npm/update.sh from ../npm/package-lock.json)."
	npm ls --all --omit=dev --parseable | tail -n +2 | sort -u | while read -r dir; do
		name=$(node -p 'const p=require(process.argv[1]); p.name+"@"+p.version+" ("+(p.license||"see below")+")"' "$dir/package.json")
		printf '\n==== %s ====\n\n' "$name"
		found=0
		for f in "$dir"/LICENSE* "$dir"/LICENCE* "$dir"/license*; do
			if [ -f "$f" ]; then
				cat "$f"
				found=1
				break
			fi
		done
		if [ "$found" = 0 ]; then
			echo "(no license file in the package; its package.json says the license above)"
		fi
	done
} >"$out/LICENSES.txt"

# What was built, for the record (and the Go test that checks the files
# are the ones served).
(cd "$out" && sha256sum graphiql.min.js graphiql.min.css react.production.min.js react-dom.production.min.js >SHA256SUMS)
ls -l "$out"
