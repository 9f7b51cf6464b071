/*
 * list: an intrusive, circular, doubly linked list (the shape of Linux's list.h, our code).
 *
 * A struct list_head is embedded in each element; a list is a struct list_head sentinel
 * whose next/prev point at itself when empty. Every operation is O(1) and tiny; none
 * allocates. list_entry()/list_first_entry() turn a node back into its element.
 *
 *     struct list_head items = LIST_HEAD_INIT(items);
 *     list_add_tail(&obj->link, &items);
 *     list_for_each_entry(pos, &items, link) { ... }
 *
 * Locking is the user's: a list is guarded by whatever guards the structure holding its head.
 * A deleted node is reset to point at itself, so list_empty(node) tells whether it is linked.
 * Pure code: builds for the host tests.
 */
#ifndef STRATA_LIB_LIST_H
#define STRATA_LIB_LIST_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/compiler.h"

struct list_head {
	struct list_head *next;
	struct list_head *prev;
};

#define LIST_HEAD_INIT(name)                                                                       \
	{                                                                                          \
		&(name), &(name)                                                                   \
	}

static inline void list_init(struct list_head *head)
{
	head->next = head;
	head->prev = head;
}

/* Link @node between the adjacent nodes @prev and @next. */
static inline void list_insert_between(struct list_head *node, struct list_head *prev,
                                       struct list_head *next)
{
	next->prev = node;
	node->next = next;
	node->prev = prev;
	prev->next = node;
}

/* Insert @node right after @head (stack order). */
static inline void list_add(struct list_head *node, struct list_head *head)
{
	list_insert_between(node, head, head->next);
}

/* Insert @node right before @head, i.e. at the tail (queue order). */
static inline void list_add_tail(struct list_head *node, struct list_head *head)
{
	list_insert_between(node, head->prev, head);
}

/* Make @prev and @next adjacent, dropping whatever lay between them from the list. */
static inline void list_join(struct list_head *prev, struct list_head *next)
{
	next->prev = prev;
	prev->next = next;
}

/*
 * Unlink @node but leave its own pointers naming its old neighbours (cheaper than list_del,
 * for hot paths that relink or forget the node right away). Returns true when the list is
 * empty afterwards: both old neighbours were the head, so @node had been the only element.
 */
static inline bool list_unlink(struct list_head *node)
{
	struct list_head *next = node->next, *prev = node->prev;

	list_join(prev, next);
	return next == prev;
}

/* Unlink @node and make it a one-element (self-linked) list again (Linux's list_del_init). */
static inline void list_del(struct list_head *node)
{
	list_join(node->prev, node->next);
	list_init(node);
}

/* Unlink @node from its list and add it after @head. */
static inline void list_move(struct list_head *node, struct list_head *head)
{
	list_unlink(node);
	list_add(node, head);
}

/* Unlink @node from its list and add it before @head (at the tail). */
static inline void list_move_tail(struct list_head *node, struct list_head *head)
{
	list_unlink(node);
	list_add_tail(node, head);
}

static inline bool list_empty(const struct list_head *head)
{
	return head->next == head;
}

/* True when @node is the last element of the list @head. */
static inline bool list_is_last(const struct list_head *node, const struct list_head *head)
{
	return node->next == head;
}

#define list_entry(node, type, member)       container_of(node, type, member)
#define list_first_entry(head, type, member) list_entry((head)->next, type, member)
#define list_last_entry(head, type, member)  list_entry((head)->prev, type, member)
/* The first element, or NULL when the list is empty. */
#define list_first_entry_or_null(head, type, member)                                               \
	(list_empty(head) ? NULL : list_first_entry(head, type, member))

#define list_for_each(pos, head) for ((pos) = (head)->next; (pos) != (head); (pos) = (pos)->next)

/* Iterate over elements; @pos is a pointer to the element type. */
#define list_for_each_entry(pos, head, member)                                                     \
	for ((pos) = list_entry((head)->next, __typeof__(*(pos)), member);                         \
	     &(pos)->member != (head);                                                             \
	     (pos) = list_entry((pos)->member.next, __typeof__(*(pos)), member))

/* As list_for_each_entry, but @pos may be unlinked (and freed) by the body; @n is scratch. */
#define list_for_each_entry_safe(pos, n, head, member)                                             \
	for ((pos) = list_entry((head)->next, __typeof__(*(pos)), member),                         \
	    (n) = list_entry((pos)->member.next, __typeof__(*(pos)), member);                      \
	     &(pos)->member != (head);                                                             \
	     (pos) = (n), (n) = list_entry((n)->member.next, __typeof__(*(n)), member))

#endif
