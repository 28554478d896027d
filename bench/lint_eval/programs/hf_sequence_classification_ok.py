import torch
from torch.nn import CrossEntropyLoss
from transformers import AutoModelForSequenceClassification, AutoTokenizer

tokenizer = AutoTokenizer.from_pretrained("distilbert-base-uncased")
model = AutoModelForSequenceClassification.from_pretrained("distilbert-base-uncased", num_labels=3)
loss_fct = CrossEntropyLoss()
for batch in train_dataloader:
    outputs = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"])
    loss = loss_fct(outputs.logits.view(-1, 3), batch["labels"].view(-1))
    loss.backward()
