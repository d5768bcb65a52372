# Boot 4: after undo from the rescue system, as installed again. The rescue
# system puts this script in place (/vk/after-rescue/boot-4.sh before).
. /vk/lib.sh
cmdline 4
drivers 4
[ "$(cat /proc/cmdline)" = "$(cat $STATE/cmdline.before)" ] && echo "vk-step 4 cmdline as before"
exit 0
