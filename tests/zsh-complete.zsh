# SPDX-License-Identifier: GPL-2.0-or-later
# zsh -f tests/zsh-complete.zsh FPATH-DIR LINE BIN-DIR: type LINE and a Tab
# into an interactive zsh (through zsh/zpty) whose compsys loads the
# functions in FPATH-DIR, and print the candidates compadd was given (all
# of one call, space-separated), or nothing after 120 s. BIN-DIR goes first
# in $path.
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PS1='' PROMPT='' RPROMPT=''; fpath=($1 \$fpath); path=($3 \$path); autoload -U compinit; compinit -u -D"
zpty -w z 'compadd() { if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return $?; fi; local -a __h; builtin compadd -A __h "$@"; (( $#__h )) || return 1; print -r -- "$((6*7))::${(j: :)__h}::"; builtin compadd "$@" }'
zpty -w z "$2"$'\t'
local line out=
integer n=0
while (( n++ < 2400 )); do
	if zpty -r -t z line; then
		[[ $line == *42::*::* ]] && { out=${${line#*42::}%%::*}; break }
	else
		sleep 0.05
	fi
done
zpty -d z
print -r -- $out
