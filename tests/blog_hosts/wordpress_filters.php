<?php
/**
 * Run HTML through WordPress's own content filters, without a database or a web server.
 *
 *     php wordpress_filters.php PIPELINE [WORDPRESS_DIR] < in.html > out.html
 *
 * PIPELINE is one of:
 *   kses    what saving a post does for an Author or Contributor (no `unfiltered_html`):
 *           the `content_save_pre` filters, whose sanitiser is wp_filter_post_kses(),
 *           i.e. wp_kses_post() on the unslashed text, plus WordPress's other save-time
 *           filters (rel="noopener" on target links, invalid entities converted)
 *   autop   what the classic editor's display does: wpautop() (part of `the_content`)
 *   both    a post saved by such an author, then displayed: autop over kses, the order
 *           WordPress runs them (kses once at save, wpautop on every display)
 *   oembed  what WordPress keeps of an oEmbed `rich` answer from a provider it does not
 *           trust: stdin is the answer's `html`; WP_oEmbed::data2html() runs the
 *           `oembed_dataparse` filters (wp_filter_oembed_iframe_title_attribute,
 *           wp_filter_oembed_result). Writes nothing when WordPress drops the embed.
 *
 * WORDPRESS_DIR defaults to Debian's /usr/share/wordpress. The files loaded are WordPress's
 * own; the few functions defined here stand in for what needs a database or a logged-in
 * user, and each says why.
 */

error_reporting( E_ALL );
set_error_handler(
	// A warning or notice from WordPress means this harness left something out: fail, never
	// guess. Deprecations (old WordPress on a newer PHP) change no output: they are ignored.
	static function ( $severity, $message, $file, $line ) {
		if ( E_DEPRECATED === $severity || E_USER_DEPRECATED === $severity ) {
			return true;
		}
		throw new ErrorException( $message, 0, $severity, $file, $line );
	}
);

$pipeline = $argv[1] ?? '';
$pipelines = array( 'kses', 'autop', 'both', 'oembed' );
if ( ! in_array( $pipeline, $pipelines, true ) ) {
	fwrite( STDERR, 'usage: php wordpress_filters.php ' . implode( '|', $pipelines ) . " [WORDPRESS_DIR] < in.html\n" );
	exit( 2 );
}
$wordpress = rtrim( $argv[2] ?? '/usr/share/wordpress', '/' );

define( 'ABSPATH', $wordpress . '/' );
define( 'WPINC', 'wp-includes' );

// What wp-settings.php loads first, in its order, up to what these filters call.
require ABSPATH . WPINC . '/load.php';          // is_admin(), wp_installing()
require ABSPATH . WPINC . '/plugin.php';        // filters and hooks (WP_Hook)
require ABSPATH . WPINC . '/class-wp-object-cache.php';
require ABSPATH . WPINC . '/cache.php';         // the options below live in this cache
require ABSPATH . WPINC . '/functions.php';     // wp_allowed_protocols(), absint(); option.php
require ABSPATH . WPINC . '/class-wp-list-util.php'; // wp_list_pluck(), in the embed's title
require ABSPATH . WPINC . '/formatting.php';    // wpautop(), esc_url(), the save-time filters
require ABSPATH . WPINC . '/kses.php';          // wp_kses() and its tables of allowed HTML
require ABSPATH . WPINC . '/shortcodes.php';    // wpautop() keeps shortcodes out of <p>
require ABSPATH . WPINC . '/class-wp-block-parser.php';
require ABSPATH . WPINC . '/blocks.php';        // filter_block_content(), a pre_kses filter
require ABSPATH . WPINC . '/http.php';          // wp_parse_url(), used by esc_url()
require ABSPATH . WPINC . '/pluggable.php';     // wp_generate_password(): the embed's secret
require ABSPATH . WPINC . '/class-wp-oembed.php';
require ABSPATH . WPINC . '/embed.php';         // wp_filter_oembed_result()
// WordPress's own table of which filter runs where (the_content, content_save_pre, ...).
require ABSPATH . WPINC . '/default-filters.php';

/*
 * Options come from the database, through WordPress's object cache. A fresh install's values
 * for the few options these filters read are put in that cache, as wp_load_alloptions()
 * would after reading them, so get_option() and _wp_specialchars() run as they are. An
 * option not here would go on to the (absent) database and fail loudly: add it here.
 */
wp_cache_init();
wp_cache_add(
	'alloptions',
	array(
		'blog_charset'    => 'UTF-8',               // esc_html() and friends
		'use_balanceTags' => '0',                   // balanceTags() on save: off by default
		'home'            => 'https://blog.example', // home_url(): the blog's own address
		'siteurl'         => 'https://blog.example',
	),
	'options'
);

/**
 * The current user is an Author or Contributor: a role without `unfiltered_html`, the
 * one whose posts WordPress filters with kses. (The real check needs users in a database.)
 */
function current_user_can( $capability, ...$args ) {
	return false;
}

/**
 * home_url() without the rewrite and multisite machinery of link-template.php: the blog's
 * address, which WP_oEmbed only uses to name the blog itself as a provider.
 */
function home_url( $path = '', $scheme = null ) {
	return get_option( 'home' ) . '/' . ltrim( $path, '/' );
}

// What the `init` action does for content filters (the action itself would start far
// more): kses for a user without unfiltered_html, and rel values for targeted links.
kses_init();
wp_init_targeted_link_rel_filters();

/** Save a post's content as wp_insert_post() does: slashed in, through content_save_pre. */
function harness_save( $html ) {
	return wp_unslash( apply_filters( 'content_save_pre', wp_slash( $html ) ) );
}

/** Display a saved post's content as the classic editor's theme does (its wpautop step). */
function harness_display( $html ) {
	return wpautop( $html );
}

/** What WordPress keeps of a `rich` oEmbed answer whose `html` is $html. */
function harness_oembed( $html ) {
	// An address no provider of WordPress's own list matches: an untrusted provider.
	$url  = 'https://social.example/post/1';
	$data = (object) array(
		'type'    => 'rich',
		'version' => '1.0',
		'html'    => $html,
	);
	$result = _wp_oembed_get_object()->data2html( $data, $url );
	return false === $result ? '' : $result;
}

$html = stream_get_contents( STDIN );
switch ( $pipeline ) {
	case 'kses':
		$out = harness_save( $html );
		break;
	case 'autop':
		$out = harness_display( $html );
		break;
	case 'both':
		$out = harness_display( harness_save( $html ) );
		break;
	case 'oembed':
		$out = harness_oembed( $html );
		break;
}
fwrite( STDOUT, $out );
